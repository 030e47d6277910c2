// SPDX-License-Identifier: Apache-2.0
// perf.data through the perf tool: `perf buildid-list`, `perf script` and `perf evlist`, each
// run with an argument vector and streamed line by line into the perf script parser.
#include "core/formats/perf/perf_data.hpp"

#include <spdlog/spdlog.h>

#include <boost/process.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/fs.hpp"
#include "core/tool_environment.hpp"
#include "core/formats/perf/perf_script.hpp"
#include "core/text_lines.hpp"

namespace pgopipe::perf {
namespace {

namespace bp = boost::process;
using text::for_each_line;
using text::kMaxLineBytes;
using text::split_ws;
using text::trim;

// Runs a tool, handing each stdout line to `on_line`; Tool error with stderr's tail on failure.
Result<void> run_lines(const std::string& tool, const std::vector<std::string>& args,
                       const std::function<void(std::string_view)>& on_line) {
  auto exe = bp::search_path(tool);
  if (exe.empty()) return make_error(ErrorCode::Tool, "{} not found on PATH", tool);
  auto err_path = std::filesystem::temp_directory_path() / ("pgopipe-" + tool + "-" + random_hex(6));
  int code = 0;
  try {
    bp::pipe out;
    bp::child child(exe, bp::args(args), tool_environment(), bp::std_out > out,
                    bp::std_err > err_path.string(), bp::std_in < bp::null);
    uint64_t too_long = 0;
    for_each_line([&](char* p, size_t n) -> long {
      return out.read(p, static_cast<int>(std::min<size_t>(n, 1 << 30)));
    }, on_line, &too_long);
    if (too_long > 0) spdlog::warn("{}: skipped {} output line(s) longer than {} bytes", tool, too_long, kMaxLineBytes);
    child.wait();
    code = child.exit_code();
  } catch (const std::exception& e) {
    std::filesystem::remove(err_path);
    return make_error(ErrorCode::Tool, "cannot run {}: {}", tool, e.what());
  }
  std::string err;
  if (auto r = read_file(err_path, 1 << 20)) err = std::move(*r);
  std::error_code ec;
  std::filesystem::remove(err_path, ec);
  if (code != 0) {
    if (err.size() > 2000) err = err.substr(err.size() - 2000);
    return make_error(ErrorCode::Tool, "{} {} failed (exit code {}): {}", tool,
                      args.empty() ? "" : args[0], code, trim(err));
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

Result<bool> perf_data_has_branch_stacks(const std::string& path) {
  bool branch = false;
  PGO_TRY(run_lines("perf", {"evlist", "-v", "-i", path}, [&](std::string_view l) {
    if (l.find("BRANCH_STACK") != std::string_view::npos) branch = true;
  }));
  return branch;
}

}  // namespace pgopipe::perf
