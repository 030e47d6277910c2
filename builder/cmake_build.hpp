// SPDX-License-Identifier: Apache-2.0
// `pgopipe build cmake`: configures a CMake project with -DPGO=... (see cmake-modules/PGO.cmake)
// and builds it with as many jobs as our CPU quota allows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::build {

struct CmakeBuildOptions {
  std::filesystem::path source_dir;
  std::filesystem::path build_dir;
  std::filesystem::path profile;     // optimise with this profile (-DPGO=<absolute path>)
  std::string pgo;                   // or a PGO value: generate, off, auto; both empty: keep cache
  std::vector<std::string> cmake_args;  // extra configure arguments
  unsigned jobs = 0;                 // 0: from the cgroup CPU quota
  std::string cmake = "cmake";
  std::optional<Duration> timeout;   // each command; killed with its process group after it
};

// The configure and build command lines the options describe (argument vectors); a Usage or
// Input error for contradictory options, a missing source dir or profile, or a raw profile.
Result<std::vector<std::vector<std::string>>> cmake_build_commands(const CmakeBuildOptions& options);

// Runs cmake_build_commands(), output streamed; a failing step is a Tool error quoting it.
Result<void> build_with_cmake(const CmakeBuildOptions& options);

}  // namespace pgopipe::build
