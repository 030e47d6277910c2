// SPDX-License-Identifier: Apache-2.0
// perf.data through the perf tool: `perf buildid-list`, `perf script` and `perf evlist`, each
// run with an argument vector (core/process) and streamed line by line into the perf script
// parser.
#include "core/formats/perf/perf_data.hpp"

#include <map>
#include <string>
#include <vector>

#include "core/formats/perf/perf_script.hpp"
#include "core/process.hpp"
#include "core/text_lines.hpp"

namespace pgopipe::perf {
namespace {

using text::split_ws;
using text::trim;

// Runs a tool, handing each stdout line to `on_line`; Tool error with stderr's tail on failure.
Result<void> run_lines(const std::string& tool, const std::vector<std::string>& args,
                       const LineCallback& on_line) {
  std::vector<std::string> argv{tool};
  argv.insert(argv.end(), args.begin(), args.end());
  PGO_TRY_ASSIGN(ProcessExit exit, spawn_and_wait(argv, {.on_stdout = on_line, .stderr_tail = 2000,
                                                          .stdin_null = true, .log = false}));
  if (exit.exit_code != 0) {
    return make_error(ErrorCode::Tool, "{} {} failed (exit code {}): {}", tool,
                      args.empty() ? "" : args[0], exit.exit_code, trim(exit.stderr_tail));
  }
  return success();
}

}  // namespace

Result<void> read_perf_data(const std::string& path, AddressSamples& out) {
  std::map<std::string, std::string> build_ids;
  PGO_TRY(run_lines("perf", {"buildid-list", "-i", path}, [&](std::string_view l) {
    auto t = split_ws(l);
    if (t.size() >= 2 && t[1][0] != '[') build_ids[std::string(t[1])] = std::string(t[0]);
  }));
  auto parser = make_perf_script_parser(out, std::move(build_ids));
  PGO_TRY(run_lines("perf",
                    {"script", "-i", path, "--show-mmap-events", "-F", "comm,pid,tid,event,ip,dso"},
                    [&](std::string_view l) { parser->line(l); }));
  if (parser->finish() == 0)
    return make_error(ErrorCode::Input, "{}: perf.data holds no samples", path);
  return success();
}

Result<std::vector<std::pair<std::string, std::string>>> perf_data_build_ids(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> ids;
  PGO_TRY(run_lines("perf", {"buildid-list", "-i", path}, [&](std::string_view l) {
    auto t = split_ws(l);
    if (t.size() >= 2) ids.emplace_back(std::string(t[0]), std::string(t[1]));
  }));
  return ids;
}

Result<bool> perf_data_has_branch_stacks(const std::string& path) {
  bool branch = false;
  PGO_TRY(run_lines("perf", {"evlist", "-v", "-i", path}, [&](std::string_view l) {
    if (l.find("BRANCH_STACK") != std::string_view::npos) branch = true;
  }));
  return branch;
}

}  // namespace pgopipe::perf
