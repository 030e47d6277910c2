// SPDX-License-Identifier: Apache-2.0
// JSON and Markdown renderings and the report directory writer (HTML: render_html.cpp; the
// rows both readable renderings show: report_rows.cpp).
#include "rebuild/report_render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <system_error>

#include "core/fs.hpp"
#include "rebuild/report_rows.hpp"
#include "report/text.hpp"

namespace pgopipe::rebuild {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string md(std::string_view s) { return report::escape_markdown(s); }

// A code cell in backticks when nothing in it can end the span or the table cell.
std::string markdown_cell(const ReportCell& c) {
  if (c.kind == CellKind::Code && c.text.find_first_of("`|\n") == std::string::npos) {
    return fmt::format("`{}`", report::sanitize_utf8(c.text));
  }
  return md(c.text);
}

void markdown_row(std::string& out, const std::vector<std::string>& cells) {
  out += "|";
  for (const auto& c : cells) out += c.empty() ? " |" : " " + c + " |";
  out += "\n";
}

// A section: its title, headline in bold, note, then its table (numbers right-aligned).
void markdown_section(std::string& out, const ReportSection& s) {
  out += fmt::format("\n## {}\n\n", s.title);
  if (!s.headline.empty()) out += fmt::format("**{}**\n\n", md(s.headline));
  if (!s.note.empty()) out += md(s.note) + "\n\n";
  if (s.rows.empty()) return;
  const size_t width = s.rows.front().size();
  markdown_row(out, s.columns.empty() ? std::vector<std::string>(width) : s.columns);
  out += "|";
  for (const auto& c : s.rows.front()) out += c.kind == CellKind::Number ? "---:|" : "---|";
  out += "\n";
  for (const auto& row : s.rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(markdown_cell(c));
    markdown_row(out, cells);
  }
}

}  // namespace

std::string render_json(const RunReport& r) {
  json out;
  out["schema"] = "pgopipe.run-report/1";
  out["app"] = r.app;
  out["outcome"] = std::string(outcome_name(r.outcome));
  out["message"] = r.message;
  out["started_at"] = r.started_at;
  out["window"] = {{"since", format_rfc3339(r.window.since)}, {"until", format_rfc3339(r.window.until)}};
  out["profiles"] = {{"merged", r.profiles_merged}, {"skipped", r.profiles_skipped},
                     {"kind", r.profile_kind}, {"sha256", r.profile_sha256}};
  out["overlap_with_published"] = optional_number(r.overlap_with_published);
  out["unchanged_threshold"] = r.unchanged_threshold;
  out["gate_threshold"] = r.gate_threshold;
  if (r.benchmark) {
    const auto& b = *r.benchmark;
    out["benchmark"] = {{"baseline_seconds", b.baseline_seconds}, {"pgo_seconds", b.pgo_seconds},
                        {"baseline_median", b.baseline_median}, {"pgo_median", b.pgo_median},
                        {"speedup", b.speedup}, {"speedup_low", b.speedup_low},
                        {"speedup_high", b.speedup_high}, {"confidence", b.confidence},
                        {"pairs", b.baseline_seconds.size()}, {"verdict", b.verdict},
                        {"decided", b.decided}, {"stopped_by", b.stopped_by}};
  } else {
    out["benchmark"] = nullptr;
  }
  if (r.match) {
    out["match"] = {{"functions_in_profile", r.match->functions_in_profile},
                    {"functions_matched", r.match->functions_matched},
                    {"stale_functions", r.match->stale_functions}};
  } else {
    out["match"] = nullptr;
  }
  out["hot_functions"] = json::array();
  for (const auto& h : r.hot_functions) {
    out["hot_functions"].push_back({{"name", h.name}, {"display_name", report::display_name(h.name)},
                                    {"count", h.count}, {"share", h.share}});
  }
  out["stages"] = json::array();
  for (const auto& s : r.stages) {
    out["stages"].push_back({{"name", s.name}, {"seconds", s.seconds}, {"status", s.status},
                             {"detail", s.detail}});
  }
  out["published_key"] = r.published_key;
  out["has_flamegraph"] = !r.flamegraph_svg.empty();
  // Profile strings may hold invalid UTF-8: replace it rather than throw.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_markdown(const RunReport& r) {
  std::string out = fmt::format("# pgopipe rebuild: {} — {}\n", md(r.app), outcome_name(r.outcome));
  if (!r.message.empty()) out += fmt::format("\n> {}\n", md(r.message));
  for (const auto& section : report_sections(r)) markdown_section(out, section);
  if (!r.flamegraph_svg.empty()) {
    out += fmt::format("\n## Flame graph\n\n![flame graph of the merged window]({})\n", kReportFlamegraph);
  }
  return out;
}

Result<void> write_report_files(const std::filesystem::path& dir, const RunReport& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorCode::Io, "cannot create report directory {}: {}", dir.string(), ec.message());
  }
  try {
    if (!report.flamegraph_svg.empty()) {
      PGO_TRY(write_file_atomic(dir / kReportFlamegraph, report.flamegraph_svg));
    }
    PGO_TRY(write_file_atomic(dir / kReportJson, render_json(report)));
    PGO_TRY(write_file_atomic(dir / kReportMarkdown, render_markdown(report)));
    PGO_TRY(write_file_atomic(dir / kReportHtml, render_html(report)));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "rendering the report into {} failed: {}", dir.string(), e.what());
  }
  return success();
}

}  // namespace pgopipe::rebuild
