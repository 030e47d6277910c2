// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_output.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"
#include "rebuild/report_render.hpp"

namespace pgopipe::rebuild {
namespace {
namespace fs = std::filesystem;

const fs::path kData = fs::path(PGOPIPE_SOURCE_DIR) / "tests" / "data" / "llvm";

RunReport report_for(const std::string& app) {
  RunReport r;
  r.app = app;
  r.outcome = RebuildOutcome::Published;
  r.message = "published";
  return r;
}

TEST(RebuildReportOutput, TheFlameGraphOfTheMergedProfileIsTitledWithTheApp) {
  RunReport report = report_for("svc");
  ASSERT_TRUE(write_flamegraph(report, kData / "sample_a.txt"));
  ASSERT_FALSE(report.flamegraph_svg.empty());
  EXPECT_EQ(report.flamegraph_svg.rfind("<svg", 0), 0u) << report.flamegraph_svg.substr(0, 80);
  EXPECT_NE(report.flamegraph_svg.find("svc: merged profile of the window"), std::string::npos);
  EXPECT_NE(report.flamegraph_svg.find("main"), std::string::npos);
}

TEST(RebuildReportOutput, AProfileThatCannotBeDrawnLeavesTheGraphOutNotTheRun) {
  ScratchDir dir("pgopipe-report-output");
  ASSERT_TRUE(write_file_atomic(dir.path() / "junk.prof", "\x01\x02 not a profile"));
  RunReport report = report_for("svc");
  EXPECT_TRUE(write_flamegraph(report, dir.path() / "junk.prof"));
  EXPECT_TRUE(report.flamegraph_svg.empty());
  EXPECT_TRUE(write_flamegraph(report, dir.path() / "missing.prof"));
  EXPECT_TRUE(report.flamegraph_svg.empty());
}

TEST(RebuildReportOutput, WritesTheReportFilesAndListsThem) {
  ScratchDir dir("pgopipe-report-output");
  RunReport report = report_for("svc");
  auto without = write_run_reports(dir.path() / "a", report);
  ASSERT_TRUE(without) << without.error().message;
  ASSERT_EQ(without->size(), 3u);
  for (const auto& f : *without) EXPECT_TRUE(fs::is_regular_file(f)) << f;
  EXPECT_FALSE(fs::exists(dir.path() / "a" / kReportFlamegraph));

  ASSERT_TRUE(write_flamegraph(report, kData / "sample_b.txt"));
  auto with = write_run_reports(dir.path() / "b", report);
  ASSERT_TRUE(with) << with.error().message;
  ASSERT_EQ(with->size(), 4u);
  EXPECT_EQ(with->back(), dir.path() / "b" / kReportFlamegraph);
  EXPECT_EQ(read_file(with->back()).value(), report.flamegraph_svg);
}

}  // namespace
}  // namespace pgopipe::rebuild
