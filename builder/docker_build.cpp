// SPDX-License-Identifier: Apache-2.0
#include "builder/docker_build.hpp"

#include <spdlog/spdlog.h>

#include "builder/process.hpp"
#include "builder/profile_check.hpp"

namespace pgopipe {
namespace fs = std::filesystem;
namespace {

// Removes the copied profile (and the .pgopipe directory if it is then empty).
class ContextCopy {
 public:
  explicit ContextCopy(fs::path path) : path_(std::move(path)) {}
  ContextCopy(const ContextCopy&) = delete;
  ContextCopy& operator=(const ContextCopy&) = delete;
  ~ContextCopy() {
    std::error_code ec;
    if (path_.empty()) return;
    if (fs::is_directory(path_, ec)) {
      fs::remove_all(path_, ec);
    } else {
      fs::remove(path_, ec);
    }
    if (ec) spdlog::warn("could not remove {}: {}", path_.string(), ec.message());
    fs::remove(path_.parent_path(), ec);  // only succeeds when empty
  }

 private:
  fs::path path_;
};

}  // namespace

fs::path context_profile_path(const fs::path& profile) {
  return fs::path(".pgopipe") / fs::absolute(profile).lexically_normal().filename();
}

std::vector<std::string> docker_build_command(const DockerBuildOptions& o) {
  std::vector<std::string> argv{o.docker, "build"};
  if (!o.dockerfile.empty()) {
    argv.push_back("--file");
    argv.push_back(o.dockerfile.string());
  }
  argv.push_back("--build-arg");
  argv.push_back("PGO=" + (o.profile.empty() ? std::string("off")
                                             : context_profile_path(o.profile).string()));
  if (!o.tag.empty()) {
    argv.push_back("--tag");
    argv.push_back(o.tag);
  }
  argv.insert(argv.end(), o.docker_args.begin(), o.docker_args.end());
  argv.push_back(o.context.string());
  return argv;
}

Result<void> build_with_docker(const DockerBuildOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(o.context, ec)) {
    return make_error(ErrorCode::Input, "build context {} is not a directory", o.context.string());
  }
  if (o.profile.empty()) return run_process(docker_build_command(o));
  PGO_TRY(check_compiler_profile(o.profile));
  fs::path copy = o.context / context_profile_path(o.profile);
  if (fs::exists(copy, ec)) {
    return make_error(ErrorCode::Usage, "{} already exists in the build context; remove it first",
                      copy.string());
  }
  fs::create_directories(copy.parent_path(), ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", copy.parent_path().string(), ec.message());
  ContextCopy cleanup(copy);
  fs::copy(o.profile, copy, fs::copy_options::recursive, ec);
  if (ec) {
    return make_error(ErrorCode::Io, "cannot copy {} to {}: {}", o.profile.string(), copy.string(),
                      ec.message());
  }
  return run_process(docker_build_command(o));
}

}  // namespace pgopipe
