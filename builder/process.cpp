// SPDX-License-Identifier: Apache-2.0
#include "builder/process.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <spdlog/spdlog.h>

#include <exception>
#include <thread>

#include "core/config.hpp"
#include "core/redact.hpp"
#include "core/tool_environment.hpp"

namespace pgopipe {
namespace bp = boost::process;

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                                       "QRSTUVWXYZ0123456789-_./=:,+@%") ==
                                     std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

namespace {

bp::environment child_env(const ProcessOptions& o) {
  if (!o.env) return tool_environment();
  bp::environment env;
  for (const auto& [key, value] : *o.env) env[key] = value;
  return env;
}

// Waits for the child; after `timeout` kills its whole process group. Returns false on timeout.
bool wait_with_timeout(bp::child& child, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child.running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-child.id(), SIGKILL);
      ::kill(child.id(), SIGKILL);
      child.wait();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return true;
}

}  // namespace

Result<void> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return make_error(ErrorCode::Internal, "run_process: empty command");
  const std::string command = quote_command(redact_argv(argv));
  boost::filesystem::path exe = argv[0];
  if (argv[0].find('/') == std::string::npos) {
    exe = bp::search_path(argv[0]);
    if (exe.empty()) {
      return make_error(ErrorCode::Tool, "'{}' not found on PATH (needed for: {})", argv[0], command);
    }
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  spdlog::info("running: {}", command);
  try {
    std::error_code ec;
    const bool own_group = options.timeout.has_value();
    auto own_group_setup = [own_group](auto&) {
      if (own_group) ::setpgid(0, 0);
    };
    bp::child child = options.cwd.empty()
                          ? bp::child(exe, bp::args(args), child_env(options),
                                      bp::extend::on_exec_setup = own_group_setup)
                          : bp::child(exe, bp::args(args), child_env(options),
                                      bp::extend::on_exec_setup = own_group_setup,
                                      bp::start_dir(options.cwd.string()));
    if (own_group) ::setpgid(child.id(), child.id());  // also from here: no window before kill
    if (own_group && !wait_with_timeout(child, *options.timeout)) {
      return make_error(ErrorCode::Tool, "command timed out after {} (its process group was killed): {}",
                        format_duration(*options.timeout), command);
    }
    child.wait(ec);
    if (ec) return make_error(ErrorCode::Tool, "waiting for '{}' failed: {}", command, ec.message());
    int code = child.exit_code();
    if (code != 0) {
      return make_error(ErrorCode::Tool, "command failed with exit code {}: {}", code, command);
    }
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Tool, "cannot run '{}': {}", command, redact_text(e.what()));
  }
  return success();
}

}  // namespace pgopipe
