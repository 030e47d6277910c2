// SPDX-License-Identifier: Apache-2.0
// `pgopipe build docker`: builds an image whose Dockerfile takes `ARG PGO` (see
// examples/docker): the profile is copied into the build context, passed as
// --build-arg PGO=<path inside the context>, and removed again afterwards.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace pgopipe {

struct DockerBuildOptions {
  std::filesystem::path context;
  std::filesystem::path dockerfile;  // empty: <context>/Dockerfile
  std::string tag;
  std::filesystem::path profile;     // empty: build without PGO (PGO=off)
  std::vector<std::string> docker_args;  // extra `docker build` arguments
  std::string docker = "docker";
};

// Where the profile goes inside the context, relative to it (".pgopipe/<file name>").
std::filesystem::path context_profile_path(const std::filesystem::path& profile);

// The `docker build` command line for the options (argument vector).
std::vector<std::string> docker_build_command(const DockerBuildOptions& options);

// Copies the profile into the context, runs docker build, removes the copy (also on failure).
// A missing context/profile is an Input error, an existing file at the copy's path a Usage
// error (never overwritten), a failing build a Tool error quoting the command.
Result<void> build_with_docker(const DockerBuildOptions& options);

}  // namespace pgopipe
