// SPDX-License-Identifier: Apache-2.0
// Runs external tools (cmake, docker, compilers) from argument vectors, never through a
// shell. The child inherits stdout/stderr, so its output streams as it runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace pgopipe {

struct ProcessOptions {
  std::filesystem::path cwd;  // empty: the current directory
};

// Runs argv[0] (looked up on PATH unless it holds a '/') with the remaining arguments and
// waits for it. A non-zero exit or a failure to start is a Tool error quoting the command.
Result<void> run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The command line as a user could paste it into a POSIX shell ('a b' quoted, ' escaped).
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace pgopipe
