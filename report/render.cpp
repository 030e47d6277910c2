// SPDX-License-Identifier: Apache-2.0
// JSON and Markdown renderings and the report directory writer (HTML: render_html.cpp).
#include "report/render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <system_error>

#include "core/fs.hpp"
#include "report/text.hpp"

namespace pgopipe {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string percent(double fraction) { return fmt::format("{:.1f} %", 100 * fraction); }

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
    out["hot_functions"].push_back({{"name", h.name}, {"display_name", display_name(h.name)},
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
  auto md = [](std::string_view s) { return escape_markdown(s); };
  std::string out = fmt::format("# pgopipe rebuild: {} — {}\n\n", md(r.app), outcome_name(r.outcome));
  if (!r.message.empty()) out += fmt::format("> {}\n\n", md(r.message));
  out += "## Summary\n\n| | |\n|---|---|\n";
  auto row = [&out](std::string_view k, const std::string& v) { out += fmt::format("| {} | {} |\n", k, v); };
  row("started", md(r.started_at));
  row("window", fmt::format("{} .. {}", format_rfc3339(r.window.since), format_rfc3339(r.window.until)));
  row("profiles merged", fmt::format("{} ({} skipped)", r.profiles_merged, r.profiles_skipped));
  row("profile kind", r.profile_kind.empty() ? "-" : md(r.profile_kind));
  if (!r.profile_sha256.empty()) row("profile sha256", fmt::format("`{}`", sanitize_utf8(r.profile_sha256)));
  row("overlap with published",
      r.overlap_with_published ? fmt::format("{} (unchanged at ≥ {})", percent(*r.overlap_with_published),
                                             percent(r.unchanged_threshold))
                               : "nothing published yet");
  if (!r.published_key.empty()) row("published as", md(r.published_key));
  if (r.benchmark) {
    const auto& b = *r.benchmark;
    out += fmt::format(
        "\n## Benchmark\n\n**Speedup {:.3f}×** ({:.0f} % interval {:.3f}–{:.3f}), **{}** after {} "
        "interleaved pairs ({}); gate: lower bound at most {} slower.\n\n| | median (s) | runs |\n"
        "|---|---|---|\n| baseline | {:.4f} | {} |\n| PGO | {:.4f} | {} |\n",
        b.speedup, 100 * b.confidence, b.speedup_low, b.speedup_high, b.verdict,
        b.baseline_seconds.size(), b.decided ? "decided" : "undecided at " + b.stopped_by,
        percent(r.gate_threshold),
        b.baseline_median, b.baseline_seconds.size(), b.pgo_median, b.pgo_seconds.size());
  }
  if (r.match) {
    const auto& m = *r.match;
    double share = m.functions_in_profile == 0 ? 0 : static_cast<double>(m.functions_matched) /
                                                         static_cast<double>(m.functions_in_profile);
    out += fmt::format("\n## Profile match\n\n{} of {} profiled functions found in the PGO build ({}); "
                       "{} stale.\n", m.functions_matched, m.functions_in_profile, percent(share),
                       m.stale_functions);
  }
  if (!r.stages.empty()) {
    out += "\n## Stages\n\n| stage | status | seconds | detail |\n|---|---|---:|---|\n";
    for (const auto& s : r.stages) {
      out += fmt::format("| {} | {} | {:.2f} | {} |\n", md(s.name), md(s.status), s.seconds, md(s.detail));
    }
  }
  if (!r.hot_functions.empty()) {
    out += "\n## Hot functions\n\n| # | function | count | share |\n|---:|---|---:|---:|\n";
    size_t i = 0;
    for (const auto& h : r.hot_functions) {
      out += fmt::format("| {} | {} | {} | {} |\n", ++i, md(display_name(h.name)), group_digits(h.count),
                         percent(h.share));
    }
  }
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

}  // namespace pgopipe
