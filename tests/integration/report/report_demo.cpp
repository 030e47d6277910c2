// SPDX-License-Identifier: Apache-2.0
// Test helper: `report_demo PROFILE OUT_DIR` writes a full run report (report.html/.md/.json)
// for PROFILE through the report library, as `pgopipe rebuild` does: flame graph and hot
// functions from the real profile, fixed benchmark numbers and stages, and an app name full
// of markup so the browser test also sees escaping at work.
#include <fmt/format.h>

#include <cstdio>

#include "core/fs.hpp"
#include "merger/engine.hpp"
#include "report/flamegraph.hpp"
#include "rebuild/report_render.hpp"

using namespace pgopipe;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: report_demo PROFILE OUT_DIR\n");
    return 2;
  }
  auto fail = [](const Error& e) {
    std::fprintf(stderr, "report_demo: %s\n", e.message.c_str());
    return static_cast<int>(e.code);
  };
  rebuild::RunReport r;
  r.app = "<demo & \"co\">";
  r.outcome = rebuild::RebuildOutcome::Published;
  r.message = "PGO build is 6.9 % faster than the baseline (gate: at most 2 % slower)";
  r.started_at = "2026-11-22T05:00:00Z";
  r.window = Window{parse_time("2026-11-21T05:00:00Z", now()).value(), parse_time("2026-11-22T05:00:00Z", now()).value()};
  r.profiles_merged = 24;
  r.profiles_skipped = 1;
  r.profile_kind = "LLVM sample";
  r.overlap_with_published = 0.91;
  r.unchanged_threshold = 0.99;
  r.gate_threshold = 0.02;
  r.benchmark = rebuild::BenchmarkResult{{1.00, 1.03, 0.99, 1.01, 1.02}, {0.94, 0.95, 0.93, 0.96, 0.94},
                                1.01, 0.94, 1.0745, 1.05, 1.10, 0.95};
  r.match = rebuild::ProfileMatch{120, 112, 4};
  r.stages = {{"fetch", 0.4, "ok", "24 profiles, 1.2 MiB"}, {"merge", 0.9, "ok", ""},
              {"compare", 0.1, "ok", "overlap 91 %"}, {"build", 42.0, "ok", "baseline + PGO"},
              {"benchmark", 10.2, "ok", "5 A/B pairs"}, {"gate", 0.0, "ok", ""},
              {"publish", 0.3, "ok", ""}};
  auto bytes = read_file(argv[1]);
  if (!bytes) return fail(bytes.error());
  auto summary = merge::summarize_profile(argv[1], *bytes, 10);
  if (!summary) return fail(summary.error());
  r.hot_functions = summary->hottest;
  report::FlameOptions options;
  options.title = "merged window";
  auto svg = report::flamegraph_svg_from_file(argv[1], options);
  if (!svg) return fail(svg.error());
  r.flamegraph_svg = std::move(*svg);
  auto written = rebuild::write_report_files(argv[2], r);
  if (!written) return fail(written.error());
  return 0;
}
