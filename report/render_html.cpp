// SPDX-License-Identifier: Apache-2.0
// The self-contained HTML report: inline CSS, the flame graph and an A/B chart as inline
// SVG, no scripts and no external URLs, every profile string escaped.
#include <fmt/format.h>

#include <algorithm>

#include "report/render.hpp"
#include "report/text.hpp"

namespace pgopipe {
namespace {

constexpr const char* kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1240px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:.8rem;color:#fff;font-weight:600}
.published{background:#2e7d32}.unchanged{background:#616161}.gated{background:#e65100}.busy{background:#757575}.failed{background:#c62828}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.fn{font-family:ui-monospace,monospace;word-break:break-all;max-width:640px}
.bar{background:#ef6c00;height:.7rem;display:inline-block;vertical-align:middle}
.ok{color:#2e7d32}.failed-stage{color:#c62828;font-weight:600}.skipped{color:#757575}
.big{font-size:1.4rem;font-weight:600}.flame{overflow-x:auto}.muted{color:#666}
)";

std::string h(std::string_view s) { return escape_markup(s); }
std::string pct(double fraction) { return fmt::format("{:.1f}&#8239;%", 100 * fraction); }

// Bars of every benchmark run in the order they ran (A/B interleaved), with both medians.
std::string ab_chart(const BenchmarkResult& b) {
  size_t runs = std::max(b.baseline_seconds.size(), b.pgo_seconds.size());
  double top = 0;
  for (double v : b.baseline_seconds) top = std::max(top, v);
  for (double v : b.pgo_seconds) top = std::max(top, v);
  if (runs == 0 || top <= 0) return {};
  top *= 1.1;
  const double w = 640, ht = 220, left = 56, right = 12, up = 24, down = 28;
  double plot_w = w - left - right, plot_h = ht - up - down;
  double slot = plot_w / static_cast<double>(runs);
  double bar = std::max(1.0, slot * 0.38);
  auto y_of = [&](double v) { return up + plot_h * (1 - v / top); };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} "
      "{1:.0f}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"benchmark run times\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0:.0f}\" height=\"{1:.0f}\" fill=\"#ffffff\"/>\n",
      w, ht);
  for (int tick = 0; tick <= 4; ++tick) {
    double v = top * tick / 4, y = y_of(v);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3g} s</text>\n",
                       left, y, w - right, y, left - 4, y + 4, v);
  }
  auto series = [&](const std::vector<double>& values, double offset, const char* colour, const char* label) {
    for (size_t i = 0; i < values.size(); ++i) {
      double x = left + slot * static_cast<double>(i) + offset, y = y_of(values[i]);
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                         "<title>{} run {}: {:.4f} s</title></rect>\n",
                         x, y, bar, up + plot_h - y, colour, label, i + 1, values[i]);
    }
  };
  series(b.baseline_seconds, slot * 0.1, "#90a4ae", "baseline");
  series(b.pgo_seconds, slot * 0.1 + bar, "#ef6c00", "PGO");
  auto median = [&](double v, const char* colour) {
    if (v <= 0) return;
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                       "stroke-dasharray=\"5,3\" stroke-width=\"1.5\"/>\n",
                       left, y_of(v), w - right, y_of(v), colour);
  };
  median(b.baseline_median, "#455a64");
  median(b.pgo_median, "#bf360c");
  out += fmt::format(
      "<rect x=\"{0:.1f}\" y=\"6\" width=\"10\" height=\"10\" fill=\"#90a4ae\"/><text x=\"{1:.1f}\" y=\"15\">"
      "baseline (median {2:.4f} s)</text><rect x=\"{3:.1f}\" y=\"6\" width=\"10\" height=\"10\" fill=\"#ef6c00\"/>"
      "<text x=\"{4:.1f}\" y=\"15\">PGO (median {5:.4f} s)</text>\n"
      "<text x=\"{6:.1f}\" y=\"{7:.1f}\" text-anchor=\"middle\">run (A/B interleaved, in order)</text>\n</svg>\n",
      left, left + 14, b.baseline_median, left + 220, left + 234, b.pgo_median, left + plot_w / 2, ht - 8);
  return out;
}

void summary(std::string& out, const RunReport& r) {
  out += "<h2>Summary</h2>\n<table>\n";
  auto row = [&out](std::string_view k, const std::string& v) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", k, v);
  };
  row("started", h(r.started_at));
  row("window", fmt::format("{} &ndash; {}", format_rfc3339(r.window.since), format_rfc3339(r.window.until)));
  row("profiles merged", fmt::format("{} ({} skipped)", r.profiles_merged, r.profiles_skipped));
  row("profile kind", r.profile_kind.empty() ? "-" : h(r.profile_kind));
  if (!r.profile_sha256.empty()) row("profile sha256", fmt::format("<code>{}</code>", h(r.profile_sha256)));
  row("overlap with published",
      r.overlap_with_published
          ? fmt::format("{} (unchanged at &ge; {})", pct(*r.overlap_with_published), pct(r.unchanged_threshold))
          : std::string("nothing published yet"));
  row("gate", fmt::format("PGO build at most {} slower than the baseline", pct(r.gate_threshold)));
  if (!r.published_key.empty()) row("published as", fmt::format("<code>{}</code>", h(r.published_key)));
  out += "</table>\n";
}

void benchmark(std::string& out, const RunReport& r) {
  if (!r.benchmark) return;
  const auto& b = *r.benchmark;
  out += fmt::format(
      "<h2>Benchmark</h2>\n<p class=\"big\">Speedup {:.3f}&times; <span class=\"muted\">({:.0f}&#8239;% interval "
      "{:.3f}&ndash;{:.3f})</span></p>\n<p>{} after {} interleaved pairs ({})</p>\n"
      "<table><tr><th></th><th>median (s)</th><th>runs</th></tr>\n"
      "<tr><td>baseline</td><td class=\"num\">{:.4f}</td><td class=\"num\">{}</td></tr>\n"
      "<tr><td>PGO</td><td class=\"num\">{:.4f}</td><td class=\"num\">{}</td></tr></table>\n",
      b.speedup, 100 * b.confidence, b.speedup_low, b.speedup_high, h(b.verdict),
      b.baseline_seconds.size(), b.decided ? "decided" : "undecided at " + h(b.stopped_by),
      b.baseline_median, b.baseline_seconds.size(), b.pgo_median, b.pgo_seconds.size());
  out += "<div class=\"chart\">" + ab_chart(b) + "</div>\n";
}

void match(std::string& out, const RunReport& r) {
  if (!r.match) return;
  const auto& m = *r.match;
  double share = m.functions_in_profile == 0
                     ? 0
                     : static_cast<double>(m.functions_matched) / static_cast<double>(m.functions_in_profile);
  out += fmt::format("<h2>Profile match</h2>\n<table><tr><th>functions in profile</th><td class=\"num\">{}</td></tr>"
                     "<tr><th>found in the PGO build</th><td class=\"num\">{} ({})</td></tr>"
                     "<tr><th>stale (compiler-reported)</th><td class=\"num\">{}</td></tr></table>\n",
                     m.functions_in_profile, m.functions_matched, pct(share), m.stale_functions);
}

void stages(std::string& out, const RunReport& r) {
  if (r.stages.empty()) return;
  out += "<h2>Stages</h2>\n<table><tr><th>stage</th><th>status</th><th>seconds</th><th>detail</th></tr>\n";
  for (const auto& s : r.stages) {
    std::string cls = s.status == "ok" ? "ok" : s.status == "failed" ? "failed-stage" : "skipped";
    out += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"num\">{:.2f}</td><td>{}</td></tr>\n",
                       h(s.name), cls, h(s.status), s.seconds, h(s.detail));
  }
  out += "</table>\n";
}

void hot(std::string& out, const RunReport& r) {
  if (r.hot_functions.empty()) return;
  out += "<h2>Hot functions</h2>\n<table><tr><th>#</th><th>function</th><th>count</th><th>share</th></tr>\n";
  size_t i = 0;
  for (const auto& f : r.hot_functions) {
    double share = std::clamp(f.share, 0.0, 1.0);
    out += fmt::format("<tr><td class=\"num\">{}</td><td class=\"fn\" title=\"{}\">{}</td><td class=\"num\">{}</td>"
                       "<td class=\"num\"><span class=\"bar\" style=\"width:{:.0f}px\"></span> {}</td></tr>\n",
                       ++i, h(f.name), h(display_name(f.name)), group_digits(f.count), 120 * share,
                       pct(f.share));
  }
  out += "</table>\n";
}

}  // namespace

std::string render_html(const RunReport& r) {
  std::string outcome(outcome_name(r.outcome));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>pgopipe rebuild: {0} ({1})</title>\n<style>{2}</style>\n</head>\n<body>\n"
      "<h1>pgopipe rebuild: {0} <span class=\"badge {1}\">{1}</span></h1>\n",
      h(r.app), outcome, kCss);
  if (!r.message.empty()) out += fmt::format("<p>{}</p>\n", h(r.message));
  summary(out, r);
  benchmark(out, r);
  match(out, r);
  stages(out, r);
  hot(out, r);
  out += "<h2>Flame graph</h2>\n";
  // The SVG comes from render_flamegraph_svg, which escapes every name it draws.
  out += r.flamegraph_svg.empty() ? std::string("<p class=\"muted\">No flame graph for this run.</p>\n")
                                  : "<div class=\"flame\">\n" + r.flamegraph_svg + "</div>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace pgopipe
