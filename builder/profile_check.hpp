// SPDX-License-Identifier: Apache-2.0
// Checks that a file is a profile a compiler can read before a build is started with it.
#pragma once

#include <filesystem>

#include "core/result.hpp"

namespace pgopipe::build {

// OK for an existing indexed .profdata, LLVM sample profile or .gcda directory. A missing
// path is an Input error; a raw .profraw or a pprof profile is an Input error saying how to
// turn it into one (pgopipe merge / convert).
Result<void> check_compiler_profile(const std::filesystem::path& profile);

// A profile for a Docker build, whose Dockerfile decides the compiler: what
// check_compiler_profile accepts, or a pprof CPU profile (check_go_profile) for Dockerfiles
// that run go build -pgo (examples/docker-go).
Result<void> check_image_profile(const std::filesystem::path& profile);

}  // namespace pgopipe::build
