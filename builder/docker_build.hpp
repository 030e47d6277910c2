// SPDX-License-Identifier: Apache-2.0
// `pgopipe build docker`: builds an image whose Dockerfile takes `ARG PGO` (see
// examples/docker, examples/docker-go): the profile (a compiler profile, or a pprof CPU profile
// for go build -pgo) is copied into the build context, passed as
// --build-arg PGO=<path inside the context>, and removed again afterwards.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::build {

struct DockerBuildOptions {
  std::filesystem::path context;
  std::filesystem::path dockerfile;  // empty: <context>/Dockerfile
  std::string tag;
  std::filesystem::path profile;     // empty: build without PGO (PGO=off)
  std::vector<std::string> docker_args;  // extra `docker build` arguments
  std::string docker = "docker";
  std::optional<Duration> timeout;       // killed with its process group after this long
};

// Where the profile goes inside the context, relative to it: a name unique to this process
// and call, ".pgopipe/<stem>.<pid>.<12 hex digits><extension>", so a copy left behind by a
// killed build never blocks the next one.
std::filesystem::path context_profile_path(const std::filesystem::path& profile);

// The `docker build` command line for the options (argument vector); `staged` is the
// profile's path inside the context (context_profile_path), unused without a profile.
std::vector<std::string> docker_build_command(const DockerBuildOptions& options,
                                              const std::filesystem::path& staged = {});

// Removes the profile copies in `<context>/.pgopipe/` left by builds whose process is gone
// (killed during the build); returns how many.
size_t remove_stale_context_profiles(const std::filesystem::path& context);

// Copies the profile into the context, runs docker build, removes the copy (also on failure).
// Copies left by killed builds are removed first. A missing context/profile is an Input
// error, a failing build a Tool error quoting the command; nothing is ever overwritten.
Result<void> build_with_docker(const DockerBuildOptions& options);

}  // namespace pgopipe::build
