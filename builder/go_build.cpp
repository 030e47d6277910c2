// SPDX-License-Identifier: Apache-2.0
#include "builder/go_build.hpp"

#include <spdlog/spdlog.h>

#include "builder/cgroup.hpp"
#include "core/config.hpp"
#include "core/formats/format.hpp"
#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "core/redact.hpp"

namespace pgopipe::build {
namespace fs = std::filesystem;

namespace {

fs::path absolute_normal(const fs::path& p) { return fs::absolute(p).lexically_normal(); }

// The main package's directory for default.pgo: the one package, a path relative to the source.
Result<fs::path> main_package_dir(const GoBuildOptions& o) {
  if (o.packages.size() > 1) {
    return make_error(ErrorCode::Usage, "--write-default-pgo needs one main package, got {}", o.packages.size());
  }
  const std::string package = o.packages.empty() ? "." : o.packages.front();
  if (package != "." && !package.starts_with("./")) {
    return make_error(ErrorCode::Usage,
                      "--write-default-pgo needs the main package as a directory relative to the source "
                      "(\".\" or \"./cmd/server\"), not '{}'", package);
  }
  fs::path dir = (absolute_normal(o.source_dir) / package).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::Input, "package directory {} does not exist", dir.string());
  return dir;
}

}  // namespace

namespace {

// check_go_profile on bytes already read from `profile`.
Result<void> check_go_profile_bytes(const fs::path& profile, const std::string& bytes, const InputLimits& limits) {
  const ProfileFormat format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (family_of(format) != ProfileFamily::Pprof) {
    return make_error(ErrorCode::Input, "{} is not a pprof profile (detected: {}); go build -pgo needs a pprof "
                      "CPU profile", profile.string(), to_string(format));
  }
  PGO_TRY_ASSIGN(pprof::Profile parsed, pprof::parse(profile.string(), bytes, {.limits = limits}));
  std::string types;
  for (const auto& st : parsed.sample_type()) {
    const std::string_view type = pprof::string_at(parsed, st.type());
    const std::string_view unit = pprof::string_at(parsed, st.unit());
    if ((type == "samples" && unit == "count") || (type == "cpu" && unit == "nanoseconds")) return success();
    types += fmt::format("{}{}/{}", types.empty() ? "" : " ", type, unit);
  }
  return make_error(ErrorCode::Input,
                    "{} is not a CPU profile (sample types [{}]); go build -pgo needs samples/count or "
                    "cpu/nanoseconds, as /debug/pprof/profile serves them", profile.string(), types);
}

}  // namespace

Result<void> check_go_profile(const fs::path& profile, const InputLimits& limits) {
  PGO_TRY_ASSIGN(std::string bytes, read_file(profile));
  return check_go_profile_bytes(profile, bytes, limits);
}

Result<GoBuildCommand> go_build_command(const GoBuildOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(o.source_dir, ec)) {
    return make_error(ErrorCode::Usage, "source directory {} does not exist", o.source_dir.string());
  }
  GoBuildCommand c;
  std::string pgo = "-pgo=off";
  if (o.write_default_pgo) {
    if (o.profile.empty()) return make_error(ErrorCode::Usage, "--write-default-pgo needs --profile");
    PGO_TRY_ASSIGN(fs::path dir, main_package_dir(o));
    c.default_pgo = dir / "default.pgo";
    pgo = "-pgo=auto";
  } else if (!o.profile.empty()) {
    if (!fs::is_regular_file(o.profile, ec)) {
      return make_error(ErrorCode::Input, "profile {} does not exist", o.profile.string());
    }
    pgo = "-pgo=" + absolute_normal(o.profile).string();
  }
  const unsigned jobs = o.jobs != 0 ? o.jobs : default_build_jobs();
  c.argv = {o.go, "build", pgo, "-p", std::to_string(jobs)};
  if (!o.output.empty()) {
    c.argv.push_back("-o");
    c.argv.push_back(absolute_normal(o.output).string());
  }
  c.argv.insert(c.argv.end(), o.go_args.begin(), o.go_args.end());
  if (o.packages.empty()) c.argv.emplace_back(".");
  c.argv.insert(c.argv.end(), o.packages.begin(), o.packages.end());
  if (!process_environment().contains("GOMAXPROCS")) c.env["GOMAXPROCS"] = std::to_string(jobs);
  return c;
}

Result<void> build_with_go(const GoBuildOptions& o) {
  std::string profile;
  if (!o.profile.empty()) {
    PGO_TRY_ASSIGN(profile, read_file(o.profile));
    PGO_TRY(check_go_profile_bytes(o.profile, profile, o.limits));
  }
  PGO_TRY_ASSIGN(GoBuildCommand command, go_build_command(o));
  if (!command.default_pgo.empty()) {
    PGO_TRY(write_file_atomic(command.default_pgo, profile));
    spdlog::info("wrote {} (go build -pgo=auto uses it)", command.default_pgo.string());
  }
  auto env = scrubbed_environment(process_environment());
  for (const auto& [key, value] : command.env) env[key] = value;
  // The build's progress goes to stderr: stdout is data.
  return run_process(command.argv, {.cwd = absolute_normal(o.source_dir), .timeout = o.timeout,
                                    .env = std::move(env), .stdout_to_stderr = true});
}

}  // namespace pgopipe::build
