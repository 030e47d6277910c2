// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_rows.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pgopipe {
namespace {

rebuild::RunReport full_report() {
  rebuild::RunReport r;
  r.app = "svc";
  r.started_at = "2026-11-22T05:00:00Z";
  r.window = Window{parse_time("2026-11-21T05:00:00Z", now()).value(), parse_time("2026-11-22T05:00:00Z", now()).value()};
  r.profiles_merged = 12;
  r.profiles_skipped = 1;
  r.profile_kind = "pprof";
  r.profile_sha256 = "ab12";
  r.overlap_with_published = 0.8349;
  r.unchanged_threshold = 0.99;
  r.gate_threshold = 0.02;
  rebuild::BenchmarkResult b;
  b.baseline_seconds = {1.0, 1.02, 0.98};
  b.pgo_seconds = {0.93, 0.94};
  b.baseline_median = 1.0;
  b.pgo_median = 0.935;
  b.speedup = 1.0712;
  b.speedup_low = 1.05;
  b.speedup_high = 1.1;
  b.verdict = "improvement confirmed";
  b.stopped_by = "max_runs";
  r.benchmark = b;
  r.match = rebuild::ProfileMatch{200, 150, 3};
  r.stages = {{"fetch", 0.5, "ok", "12 profiles"}, {"build", 61.257, "failed", "exit 2"}};
  r.hot_functions = {{"_Z3bari", 1234567, 0.5}, {"main", 10, 1.5}};
  r.published_key = "svc/published/x.pb.gz";
  return r;
}

const rebuild::ReportSection& section(const std::vector<rebuild::ReportSection>& all, std::string_view id) {
  auto it = std::find_if(all.begin(), all.end(), [&](const rebuild::ReportSection& s) { return s.id == id; });
  EXPECT_NE(it, all.end()) << id;
  return *it;
}

// The value cell of the key/value row named `key`.
const rebuild::ReportCell& value_of(const rebuild::ReportSection& s, std::string_view key) {
  static const rebuild::ReportCell missing{"<missing>", rebuild::CellKind::Text, {}, {}};
  for (const auto& row : s.rows) {
    if (row.size() == 2 && row[0].text == key) return row[1];
  }
  ADD_FAILURE() << "no row " << key << " in " << s.id;
  return missing;
}

TEST(ReportRows, FormatPercentHasOneDecimalAndANarrowNoBreakSpace) {
  EXPECT_EQ(rebuild::format_percent(0.8349), "83.5\u202f%");
  EXPECT_EQ(rebuild::format_percent(0), "0.0\u202f%");
  EXPECT_EQ(rebuild::format_percent(1), "100.0\u202f%");
}

TEST(ReportRows, SectionsInReadingOrder) {
  std::vector<std::string> ids;
  for (const auto& s : rebuild::report_sections(full_report())) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"summary", "benchmark", "match", "stages", "hot"}));

  std::vector<rebuild::ReportSection> bare = rebuild::report_sections(rebuild::RunReport{});
  ASSERT_EQ(bare.size(), 1u);  // only the summary when nothing else is known
  EXPECT_EQ(bare[0].id, "summary");
  EXPECT_EQ(value_of(bare[0], "profile kind").text, "-");
  EXPECT_EQ(value_of(bare[0], "overlap with published").text, "nothing published yet");
  for (const auto& row : bare[0].rows) {
    EXPECT_NE(row[0].text, "profile sha256");
    EXPECT_NE(row[0].text, "published as");
  }
}

TEST(ReportRows, SummaryRowsAreFormatted) {
  auto all = rebuild::report_sections(full_report());
  const rebuild::ReportSection& s = section(all, "summary");
  EXPECT_TRUE(s.columns.empty());
  EXPECT_EQ(s.title, "Summary");
  EXPECT_EQ(value_of(s, "started").text, "2026-11-22T05:00:00Z");
  EXPECT_EQ(value_of(s, "window").text, "2026-11-21T05:00:00Z – 2026-11-22T05:00:00Z");
  EXPECT_EQ(value_of(s, "profiles merged").text, "12 (1 skipped)");
  EXPECT_EQ(value_of(s, "profile kind").text, "pprof");
  EXPECT_EQ(value_of(s, "profile sha256").kind, rebuild::CellKind::Code);
  EXPECT_EQ(value_of(s, "profile sha256").text, "ab12");
  EXPECT_EQ(value_of(s, "overlap with published").text, "83.5\u202f% (unchanged at ≥ 99.0\u202f%)");
  EXPECT_NE(value_of(s, "gate").text.find("at most 2.0\u202f% slower"), std::string::npos);
  EXPECT_EQ(value_of(s, "published as").text, "svc/published/x.pb.gz");
  EXPECT_EQ(value_of(s, "published as").kind, rebuild::CellKind::Code);
}

TEST(ReportRows, BenchmarkHeadlineNoteAndMedians) {
  auto all = rebuild::report_sections(full_report());
  const rebuild::ReportSection& b = section(all, "benchmark");
  EXPECT_EQ(b.headline, "Speedup 1.071× (95 % interval 1.050–1.100)");
  EXPECT_EQ(b.note, "improvement confirmed after 3 interleaved pairs (undecided at max_runs)");
  EXPECT_EQ(b.columns, (std::vector<std::string>{"", "median (s)", "runs"}));
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[0][0].text, "baseline");
  EXPECT_EQ(b.rows[0][1].text, "1.0000");
  EXPECT_EQ(b.rows[0][2].text, "3");
  EXPECT_EQ(b.rows[1][1].text, "0.9350");
  EXPECT_EQ(b.rows[1][2].text, "2");
  EXPECT_EQ(b.rows[1][1].kind, rebuild::CellKind::Number);
}

TEST(ReportRows, MatchStagesAndHotFunctions) {
  auto all = rebuild::report_sections(full_report());
  const rebuild::ReportSection& m = section(all, "match");
  EXPECT_EQ(value_of(m, "functions in profile").text, "200");
  EXPECT_EQ(value_of(m, "found in the PGO build").text, "150 (75.0\u202f%)");
  EXPECT_EQ(value_of(m, "stale (compiler-reported)").text, "3");

  const rebuild::ReportSection& st = section(all, "stages");
  ASSERT_EQ(st.rows.size(), 2u);
  EXPECT_EQ(st.rows[1][0].text, "build");
  EXPECT_EQ(st.rows[1][1].kind, rebuild::CellKind::Status);
  EXPECT_EQ(st.rows[1][1].text, "failed");
  EXPECT_EQ(st.rows[1][2].text, "61.26");
  EXPECT_EQ(st.rows[1][3].text, "exit 2");

  const rebuild::ReportSection& h = section(all, "hot");
  ASSERT_EQ(h.rows.size(), 2u);
  EXPECT_EQ(h.rows[0][0].text, "1");
  EXPECT_EQ(h.rows[0][1].kind, rebuild::CellKind::Function);
  EXPECT_EQ(h.rows[0][1].text, "bar(int)");  // demangled for reading
  EXPECT_EQ(h.rows[0][1].title, "_Z3bari");  // the profile's own name kept
  EXPECT_EQ(h.rows[0][2].text, "1,234,567");
  EXPECT_EQ(h.rows[0][3].text, "50.0\u202f%");
  ASSERT_TRUE(h.rows[0][3].bar.has_value());
  EXPECT_DOUBLE_EQ(*h.rows[0][3].bar, 0.5);
  EXPECT_DOUBLE_EQ(*h.rows[1][3].bar, 1.0);  // a share above 1 draws a full bar
  EXPECT_EQ(h.rows[1][3].text, "150.0\u202f%");
}

}  // namespace
}  // namespace pgopipe
