// SPDX-License-Identifier: Apache-2.0
#include "builder/cmake_build.hpp"

#include "builder/cgroup.hpp"
#include "core/process.hpp"
#include "builder/profile_check.hpp"

namespace pgopipe::build {
namespace fs = std::filesystem;

Result<std::vector<std::vector<std::string>>> cmake_build_commands(const CmakeBuildOptions& o) {
  std::error_code ec;
  if (!fs::is_regular_file(o.source_dir / "CMakeLists.txt", ec)) {
    return make_error(ErrorCode::Usage, "{} has no CMakeLists.txt", o.source_dir.string());
  }
  if (!o.profile.empty() && !o.pgo.empty()) {
    return make_error(ErrorCode::Usage, "give either --profile or --pgo, not both");
  }
  std::vector<std::string> configure{o.cmake, "-S", o.source_dir.string(), "-B",
                                     o.build_dir.string()};
  if (!o.profile.empty()) {
    PGO_TRY(check_compiler_profile(o.profile));
    configure.push_back("-DPGO=" + fs::absolute(o.profile).lexically_normal().string());
  } else if (!o.pgo.empty()) {
    configure.push_back("-DPGO=" + o.pgo);
  }
  configure.insert(configure.end(), o.cmake_args.begin(), o.cmake_args.end());
  const unsigned jobs = o.jobs != 0 ? o.jobs : default_build_jobs();
  std::vector<std::string> build{o.cmake, "--build", o.build_dir.string(), "--parallel",
                                 std::to_string(jobs)};
  return std::vector<std::vector<std::string>>{configure, build};
}

Result<void> build_with_cmake(const CmakeBuildOptions& options) {
  PGO_TRY_ASSIGN(auto commands, cmake_build_commands(options));
  // The build's progress goes to stderr: stdout is data.
  for (const auto& command : commands) {
    PGO_TRY(run_process(command, {.timeout = options.timeout, .stdout_to_stderr = true}));
  }
  return success();
}

}  // namespace pgopipe::build
