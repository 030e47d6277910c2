// SPDX-License-Identifier: Apache-2.0
#include "builder/docker_build.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <regex>

#include "core/process.hpp"
#include "builder/profile_check.hpp"
#include "core/fs.hpp"

namespace pgopipe::build {
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
  fs::path name = fs::absolute(profile).lexically_normal().filename();
  return fs::path(".pgopipe") / fmt::format("{}.{}.{}{}", name.stem().string(), ::getpid(),
                                            random_hex(6), name.extension().string());
}

size_t remove_stale_context_profiles(const fs::path& context) {
  static const std::regex kStaged(R"(.+\.([0-9]+)\.[0-9a-f]{12}(\.[^.]*)?)");
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(context / ".pgopipe", ec)) {
    std::smatch m;
    std::string name = entry.path().filename().string();
    if (!std::regex_match(name, m, kStaged)) continue;
    long pid = std::stol(m[1].str());
    // A copy whose build process is gone; a live pid (a concurrent build) keeps its copy.
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) {
      spdlog::info("removed {} left by a killed build (pid {})", entry.path().string(), pid);
      ++removed;
    }
  }
  return removed;
}

std::vector<std::string> docker_build_command(const DockerBuildOptions& o, const fs::path& staged) {
  std::vector<std::string> argv{o.docker, "build"};
  if (!o.dockerfile.empty()) {
    argv.push_back("--file");
    argv.push_back(o.dockerfile.string());
  }
  argv.push_back("--build-arg");
  argv.push_back("PGO=" + (o.profile.empty() ? std::string("off") : staged.string()));
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
  if (o.profile.empty()) return run_process(docker_build_command(o), {.timeout = o.timeout, .stdout_to_stderr = true});
  PGO_TRY(check_image_profile(o.profile));
  remove_stale_context_profiles(o.context);
  const fs::path staged = context_profile_path(o.profile);
  fs::path copy = o.context / staged;
  fs::create_directories(copy.parent_path(), ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", copy.parent_path().string(), ec.message());
  // Never overwrites: a name that exists anyway is an error, not ours to remove.
  if (fs::exists(fs::symlink_status(copy, ec))) {
    return make_error(ErrorCode::Io, "{} already exists in the build context", copy.string());
  }
  ContextCopy cleanup(copy);
  fs::copy(o.profile, copy, fs::copy_options::recursive, ec);
  if (ec) {
    return make_error(ErrorCode::Io, "cannot copy {} to {}: {}", o.profile.string(), copy.string(),
                      ec.message());
  }
  return run_process(docker_build_command(o, staged), {.timeout = o.timeout, .stdout_to_stderr = true});
}

}  // namespace pgopipe::build
