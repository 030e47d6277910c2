// SPDX-License-Identifier: Apache-2.0
// pgopipe: production CPU profiles into faster builds. Parses the command line, runs the
// chosen subcommand's action, and turns its Result into an exit code (see README).
#include <algorithm>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>

#include "cli/cli.hpp"
#include "cli/usage.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"

namespace {

// The run's error always reaches stderr: through the logger at `level`, or directly when
// --log-level (e.g. off) would hide it.
void report_error(spdlog::level::level_enum level, const std::string& message) {
  if (spdlog::should_log(level)) {
    spdlog::log(level, "{}", message);
  } else {
    std::fprintf(stderr, "%s %s\n", spdlog::level::to_string_view(level).data(),
                 pgopipe::terminal_safe(message, true).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pgopipe;
  CLI::App app{"pgopipe: production CPU profiles into faster builds", "pgopipe"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommand
  app.set_version_flag("--version", PROJECT_VERSION);
  cli::Cli cli;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  cli.set_arguments(arguments);
  cli.add_global_flags(app);
  cli::register_push(app, cli);
  cli::register_ls(app, cli);
  cli::register_pull(app, cli);
  cli::register_gc(app, cli);
  cli::register_compact(app, cli);
  cli::register_collect(app, cli);
  cli::register_merge(app, cli);
  cli::register_show(app, cli);
  cli::register_build(app, cli);
  cli::register_convert(app, cli);
  cli::register_rebuild(app, cli);
  cli::register_flamegraph(app, cli);
  cli::register_help(app, cli);
  cli::register_completion(app, cli);
  cli::finish_help(app);

  try {
    std::vector<std::string> parsed = cli::arguments_to_parse(arguments);
    std::reverse(parsed.begin(), parsed.end());  // CLI11 takes them last first
    app.parse(parsed);
  } catch (const CLI::ParseError& e) {
    return cli::report_parse_error(app, e);
  }
  (void)init_logging("info");
  try {
    auto result = cli.action ? cli.action() : Result<void>{};
    if (!result) {
      report_error(spdlog::level::err, result.error().message);
      return static_cast<int>(result.error().code);
    }
    if (cli.exit_code != 0) return cli.exit_code;
    return 0;
  } catch (const std::exception& e) {
    report_error(spdlog::level::critical, fmt::format("internal error: {}", e.what()));
    return static_cast<int>(ErrorCode::Internal);
  }
}
