// SPDX-License-Identifier: Apache-2.0
// `pgopipe build go`: builds Go packages with `go build -pgo=<profile>` (or -pgo=off), with
// GOMAXPROCS and -p from the CPU quota as the CMake and Docker drivers do; or writes the
// profile as the main package's default.pgo for teams that commit it and build -pgo=auto.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::build {

struct GoBuildOptions {
  std::filesystem::path source_dir;     // the module (or package) directory go runs in
  std::filesystem::path profile;        // empty: -pgo=off
  std::filesystem::path output;         // -o; empty: go's default; relative to our cwd
  std::vector<std::string> packages;    // empty: "."
  std::vector<std::string> go_args;     // extra `go build` arguments, after the packages' flags
  bool write_default_pgo = false;       // copy the profile to <main package>/default.pgo, -pgo=auto
  unsigned jobs = 0;                    // 0: from the cgroup CPU quota
  std::string go = "go";
  std::optional<Duration> timeout;      // killed with its process group after it
  InputLimits limits;                   // for reading the profile
};

// A Go PGO profile must be a CPU profile: pprof whose sample types include samples/count or
// cpu/nanoseconds (what the Go compiler reads). Input error naming the file and the types it
// has otherwise, or when it is not pprof at all.
Result<void> check_go_profile(const std::filesystem::path& profile, const InputLimits& limits = {});

// The `go build` argument vector and the environment additions (GOMAXPROCS) for the options;
// Usage/Input errors for a missing source dir or profile, or --write-default-pgo without a
// profile or with a package that is not a relative directory.
struct GoBuildCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to the scrubbed environment
  std::filesystem::path default_pgo;       // set: copy the profile here before building
};
Result<GoBuildCommand> go_build_command(const GoBuildOptions& options);

// Checks the profile, writes default.pgo if asked (atomically), runs go build in source_dir
// with its output sent to stderr; a failing build is a Tool error quoting the command.
Result<void> build_with_go(const GoBuildOptions& options);

}  // namespace pgopipe::build
