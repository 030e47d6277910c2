// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_rows.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/text.hpp"

namespace pgopipe::rebuild {
namespace {

ReportCell text(std::string s) { return {std::move(s), CellKind::Text, {}, {}}; }
ReportCell number(std::string s) { return {std::move(s), CellKind::Number, {}, {}}; }

std::vector<ReportCell> row(std::string key, ReportCell value) { return {text(std::move(key)), std::move(value)}; }

ReportSection summary(const RunReport& r) {
  ReportSection s{"summary", "Summary", {}, {}, {}, {}};
  s.rows.push_back(row("started", text(r.started_at)));
  s.rows.push_back(row("window", text(fmt::format("{} – {}", format_rfc3339(r.window.since),
                                                 format_rfc3339(r.window.until)))));
  s.rows.push_back(row("profiles merged", text(fmt::format("{} ({} skipped)", r.profiles_merged,
                                                           r.profiles_skipped))));
  s.rows.push_back(row("profile kind", text(r.profile_kind.empty() ? "-" : r.profile_kind)));
  if (!r.profile_sha256.empty()) s.rows.push_back(row("profile sha256", {r.profile_sha256, CellKind::Code, {}, {}}));
  s.rows.push_back(row("overlap with published",
                       text(r.overlap_with_published
                                ? fmt::format("{} (unchanged at ≥ {})", format_percent(*r.overlap_with_published),
                                              format_percent(r.unchanged_threshold))
                                : "nothing published yet")));
  s.rows.push_back(row("gate", text(fmt::format("PGO build at most {} slower than the baseline (the speedup "
                                                "interval's lower bound)", format_percent(r.gate_threshold)))));
  if (!r.published_key.empty()) s.rows.push_back(row("published as", {r.published_key, CellKind::Code, {}, {}}));
  return s;
}

ReportSection benchmark(const BenchmarkResult& b) {
  ReportSection s{"benchmark", "Benchmark", {}, {}, {"", "median (s)", "runs"}, {}};
  s.headline = fmt::format("Speedup {:.3f}× ({:.0f} % interval {:.3f}–{:.3f})", b.speedup, 100 * b.confidence,
                           b.speedup_low, b.speedup_high);
  s.note = fmt::format("{} after {} interleaved pairs ({})", b.verdict, b.baseline_seconds.size(),
                       b.decided ? "decided" : "undecided at " + b.stopped_by);
  s.rows.push_back({text("baseline"), number(fmt::format("{:.4f}", b.baseline_median)),
                    number(std::to_string(b.baseline_seconds.size()))});
  s.rows.push_back({text("PGO"), number(fmt::format("{:.4f}", b.pgo_median)),
                    number(std::to_string(b.pgo_seconds.size()))});
  return s;
}

ReportSection match(const ProfileMatch& m) {
  double share = m.functions_in_profile == 0
                     ? 0
                     : static_cast<double>(m.functions_matched) / static_cast<double>(m.functions_in_profile);
  ReportSection s{"match", "Profile match", {}, {}, {}, {}};
  s.rows.push_back(row("functions in profile", number(std::to_string(m.functions_in_profile))));
  s.rows.push_back(row("found in the PGO build",
                       number(fmt::format("{} ({})", m.functions_matched, format_percent(share)))));
  s.rows.push_back(row("stale (compiler-reported)", number(std::to_string(m.stale_functions))));
  return s;
}

ReportSection stages(const std::vector<StageTiming>& timings) {
  ReportSection s{"stages", "Stages", {}, {}, {"stage", "status", "seconds", "detail"}, {}};
  for (const auto& t : timings) {
    s.rows.push_back({text(t.name), {t.status, CellKind::Status, {}, {}}, number(fmt::format("{:.2f}", t.seconds)),
                      text(t.detail)});
  }
  return s;
}

ReportSection hot(const std::vector<merge::HotFunction>& functions) {
  ReportSection s{"hot", "Hot functions", {}, {}, {"#", "function", "count", "share"}, {}};
  size_t i = 0;
  for (const auto& f : functions) {
    ReportCell share = number(format_percent(f.share));
    share.bar = std::clamp(f.share, 0.0, 1.0);
    s.rows.push_back({number(std::to_string(++i)), {report::display_name(f.name), CellKind::Function, f.name, {}},
                      number(report::group_digits(f.count)), std::move(share)});
  }
  return s;
}

}  // namespace

std::string format_percent(double fraction) { return fmt::format("{:.1f}\u202f%", 100 * fraction); }

std::vector<ReportSection> report_sections(const RunReport& r) {
  std::vector<ReportSection> out{summary(r)};
  if (r.benchmark) out.push_back(benchmark(*r.benchmark));
  if (r.match) out.push_back(match(*r.match));
  if (!r.stages.empty()) out.push_back(stages(r.stages));
  if (!r.hot_functions.empty()) out.push_back(hot(r.hot_functions));
  return out;
}

}  // namespace pgopipe::rebuild
