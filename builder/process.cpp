// SPDX-License-Identifier: Apache-2.0
#include "builder/process.hpp"

#include <boost/process.hpp>
#include <spdlog/spdlog.h>

#include <exception>

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

Result<void> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return make_error(ErrorCode::Internal, "run_process: empty command");
  const std::string command = quote_command(argv);
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
    bp::child child = options.cwd.empty()
                          ? bp::child(exe, bp::args(args))
                          : bp::child(exe, bp::args(args), bp::start_dir(options.cwd.string()));
    child.wait(ec);
    if (ec) return make_error(ErrorCode::Tool, "waiting for '{}' failed: {}", command, ec.message());
    int code = child.exit_code();
    if (code != 0) {
      return make_error(ErrorCode::Tool, "command failed with exit code {}: {}", code, command);
    }
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Tool, "cannot run '{}': {}", command, e.what());
  }
  return success();
}

}  // namespace pgopipe
