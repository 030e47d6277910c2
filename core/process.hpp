// SPDX-License-Identifier: Apache-2.0
// Runs external programs (cmake, docker, perf, llvm-profgen, benchmarks) from argument
// vectors, never through a shell, with Boost.Process underneath: working directory,
// environment (this process's without credentials unless given), stdout and stderr line by
// line, stderr's tail, a timeout that kills the child's whole process group, and a polled
// interruption. Command lines are logged and quoted in errors with secrets redacted.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe {

using LineCallback = std::function<void(std::string_view)>;

struct ProcessOptions {
  std::filesystem::path cwd;  // empty: the current directory
  // With a timeout the child runs in its own process group, killed (SIGKILL) as a whole
  // once the child has run this long: a hung benchmark or build cannot hold a run forever.
  std::optional<Duration> timeout;
  // The child's whole environment; unset: this process's, scrubbed of secrets.
  std::optional<std::map<std::string, std::string>> env;
  // Set: each stdout line (without its newline) goes here, in bounded memory however much
  // the child prints. Unset: stdout is this process's (or /dev/null with discard_stdout).
  LineCallback on_stdout;
  bool discard_stdout = false;
  // The child's stdout goes to this process's stderr: a build's progress is not data.
  bool stdout_to_stderr = false;
  // Set: each stderr line goes here (stderr is then read, not inherited).
  LineCallback on_stderr;
  // Non-zero: stderr is read and its last `stderr_tail` bytes kept (ProcessExit, errors).
  size_t stderr_tail = 0;
  bool stdin_null = false;  // stdin is /dev/null instead of this process's
  // Polled about every 20 ms while the child runs: once it returns true the child gets
  // SIGINT (once) and is then waited for.
  std::function<bool()> interrupt;
  bool log = true;  // log "running: <command>" (secrets redacted) at info level
};

struct ProcessExit {
  int exit_code = -1;
  bool interrupted = false;  // options.interrupt returned true while it ran
  std::string stderr_tail;   // with options.stderr_tail: trailing blanks removed
};

// Runs argv[0] (looked up on PATH unless it holds a '/') with the remaining arguments and
// waits for it. Errors (Tool, quoting the command with secrets redacted): not found, cannot
// start, timed out. Any exit code is a result.
Result<ProcessExit> spawn_and_wait(const std::vector<std::string>& argv,
                                   const ProcessOptions& options = {});

// As spawn_and_wait, but a non-zero exit is also a Tool error quoting the command, its exit
// code and, when kept, stderr's tail.
Result<void> run_process(const std::vector<std::string>& argv,
                                const ProcessOptions& options = {});

// The full path of `program` as spawn_and_wait finds it (a name with '/' as it is); empty
// when it is not on PATH.
std::filesystem::path find_program(const std::string& program);

// The command line as a user could paste it into a POSIX shell ('a b' quoted, ' escaped).
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace pgopipe
