// SPDX-License-Identifier: Apache-2.0
// The self-contained HTML report: inline CSS, the flame graph and an A/B chart as inline
// SVG, no scripts and no external URLs, every profile string escaped.
#include <fmt/format.h>

#include <algorithm>

#include "rebuild/report_render.hpp"
#include "rebuild/report_rows.hpp"
#include "report/text.hpp"

namespace pgopipe::rebuild {
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

std::string h(std::string_view s) { return report::escape_markup(s); }

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

std::string cell(const ReportCell& c) {
  switch (c.kind) {
    case CellKind::Code: return fmt::format("<td><code>{}</code></td>", h(c.text));
    case CellKind::Number:
      if (c.bar) {
        return fmt::format("<td class=\"num\"><span class=\"bar\" style=\"width:{:.0f}px\"></span> {}</td>",
                           120 * *c.bar, h(c.text));
      }
      return fmt::format("<td class=\"num\">{}</td>", h(c.text));
    case CellKind::Status: {
      const char* cls = c.text == "ok" ? "ok" : c.text == "failed" ? "failed-stage" : "skipped";
      return fmt::format("<td class=\"{}\">{}</td>", cls, h(c.text));
    }
    case CellKind::Function: return fmt::format("<td class=\"fn\" title=\"{}\">{}</td>", h(c.title), h(c.text));
    case CellKind::Text: break;
  }
  return fmt::format("<td>{}</td>", h(c.text));
}

// A section: its title, headline, note and table; a key/value table names each row in a <th>.
void section(std::string& out, const ReportSection& s) {
  out += fmt::format("<h2>{}</h2>\n", h(s.title));
  if (!s.headline.empty()) out += fmt::format("<p class=\"big\">{}</p>\n", h(s.headline));
  if (!s.note.empty()) out += fmt::format("<p>{}</p>\n", h(s.note));
  out += "<table>\n";
  if (!s.columns.empty()) {
    out += "<tr>";
    for (const auto& c : s.columns) out += fmt::format("<th>{}</th>", h(c));
    out += "</tr>\n";
  }
  for (const auto& row : s.rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      out += i == 0 && s.columns.empty() ? fmt::format("<th>{}</th>", h(row[i].text)) : cell(row[i]);
    }
    out += "</tr>\n";
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
  for (const auto& s : report_sections(r)) {
    section(out, s);
    if (s.id == "benchmark" && r.benchmark) out += "<div class=\"chart\">" + ab_chart(*r.benchmark) + "</div>\n";
  }
  out += "<h2>Flame graph</h2>\n";
  // The SVG comes from render_flamegraph_svg, which escapes every name it draws.
  out += r.flamegraph_svg.empty() ? std::string("<p class=\"muted\">No flame graph for this run.</p>\n")
                                  : "<div class=\"flame\">\n" + r.flamegraph_svg + "</div>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace pgopipe::rebuild
