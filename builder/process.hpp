// SPDX-License-Identifier: Apache-2.0
// Runs external tools (cmake, docker, compilers, benchmarks) from argument vectors, never
// through a shell. The child inherits stdout/stderr, so its output streams as it runs; it
// gets this process's environment without credentials (scrubbed_environment), and the
// command line is logged with secret-looking values redacted.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe {

struct ProcessOptions {
  std::filesystem::path cwd;  // empty: the current directory
  // With a timeout the child runs in its own process group, killed (SIGKILL) as a whole
  // once the child has run this long: a hung benchmark or build cannot hold a run forever.
  std::optional<Duration> timeout;
  // The child's whole environment; unset: this process's, scrubbed of secrets.
  std::optional<std::map<std::string, std::string>> env;
};

// Runs argv[0] (looked up on PATH unless it holds a '/') with the remaining arguments and
// waits for it. A non-zero exit, a timeout or a failure to start is a Tool error quoting the
// command (secrets redacted).
Result<void> run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The command line as a user could paste it into a POSIX shell ('a b' quoted, ' escaped).
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace pgopipe
