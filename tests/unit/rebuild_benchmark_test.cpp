// SPDX-License-Identifier: Apache-2.0
#include "rebuild/benchmark.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

TEST(RebuildBenchmark, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(rebuild::median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(rebuild::median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(rebuild::median({}), 0);
}

TEST(RebuildBenchmark, SpeedupIsBaselineOverPgoMedianWithAnIntervalAroundIt) {
  std::vector<double> base{1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.01, 0.99};
  std::vector<double> pgo;
  for (double b : base) pgo.push_back(b / 1.25);
  rebuild::BenchmarkResult r = rebuild::summarize_benchmark(base, pgo);
  EXPECT_NEAR(r.speedup, 1.25, 1e-9);
  EXPECT_LE(r.speedup_low, r.speedup);
  EXPECT_GE(r.speedup_high, r.speedup);
  EXPECT_GT(r.speedup_low, 1.1);  // a clear speedup has an interval clear of 1
  EXPECT_EQ(r.baseline_seconds.size(), 10u);
}

TEST(RebuildBenchmark, IntervalIsReproducibleAndWidensWithNoise) {
  std::vector<double> base{1, 1.3, 0.8, 1.1, 0.9, 1.4, 0.7, 1.2};
  std::vector<double> pgo{1.1, 0.8, 1.2, 0.9, 1.3, 0.7, 1.0, 1.05};
  rebuild::BenchmarkResult a = rebuild::summarize_benchmark(base, pgo);
  rebuild::BenchmarkResult b = rebuild::summarize_benchmark(base, pgo);
  EXPECT_DOUBLE_EQ(a.speedup_low, b.speedup_low);  // fixed seed
  EXPECT_DOUBLE_EQ(a.speedup_high, b.speedup_high);
  EXPECT_LT(a.speedup_low, 1.0);
  EXPECT_GT(a.speedup_high, 1.0);
}

TEST(RebuildBenchmark, PlaceholdersAreSubstitutedPerArgument) {
  auto argv = rebuild::substitute({"{build_dir}/service", "--out={variant}.txt", "{{literal"},
                         {{"build_dir", "/b/pgo"}, {"variant", "pgo"}});
  ASSERT_TRUE(argv.ok()) << argv.error().message;
  EXPECT_EQ(*argv, (std::vector<std::string>{"/b/pgo/service", "--out=pgo.txt", "{{literal"}));
}

TEST(RebuildBenchmark, UnknownPlaceholderIsAConfigErrorNamingIt) {
  auto argv = rebuild::substitute({"{binary}"}, {{"build_dir", "/b"}});
  ASSERT_FALSE(argv.ok());
  EXPECT_EQ(argv.error().code, ErrorCode::Config);
  EXPECT_NE(argv.error().message.find("{binary}"), std::string::npos) << argv.error().message;
  EXPECT_NE(argv.error().message.find("{build_dir}"), std::string::npos) << argv.error().message;
}

rebuild::BenchmarkOptions options(std::vector<std::string> command, int min_runs, int max_runs,
                         std::string metric) {
  rebuild::BenchmarkOptions o;
  o.command = std::move(command);
  o.min_runs = min_runs;
  o.max_runs = max_runs;
  o.metric = std::move(metric);
  return o;
}

TEST(RebuildBenchmark, FailingCommandIsAToolErrorNamingTheVariant) {
  rebuild::BenchmarkOptions o = options({"false"}, 2, 2, "wall");
  auto r = rebuild::run_benchmark(o, {"baseline", {}}, {"pgo", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Tool);
  EXPECT_NE(r.error().message.find("baseline"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("false"), std::string::npos) << r.error().message;
}

TEST(RebuildBenchmark, RunsInterleavedPairsAfterAWarmUp) {
  // Each run appends its variant to a log and sleeps a known time: the log shows the order
  // (a warm-up pair, then baseline/pgo pairs back to back), the times are the runs' own.
  ScratchDir dir("pgopipe-bench-order");
  auto log = dir.path() / "order.log";
  rebuild::BenchmarkOptions o =
      options({"sh", "-c", "echo {variant} >> " + log.string() + "; sleep {seconds}"}, 3, 3, "wall");
  auto r = rebuild::run_benchmark(o, {"baseline", {{"variant", "baseline"}, {"seconds", "0.2"}}},
                         {"pgo", {{"variant", "pgo"}, {"seconds", "0.1"}}});
  auto order = read_file(log);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order, "baseline\npgo\nbaseline\npgo\nbaseline\npgo\nbaseline\npgo\n");
  ASSERT_EQ(r->baseline_seconds.size(), 3u);
  ASSERT_EQ(r->pgo_seconds.size(), 3u);
  for (double t : r->baseline_seconds) EXPECT_GE(t, 0.2);
  for (double t : r->pgo_seconds) EXPECT_GE(t, 0.1);
  EXPECT_GT(r->speedup, 1.0) << "the baseline sleeps twice as long";
}

TEST(RebuildBenchmark, StopsAsSoonAsTheIntervalDecides) {
  rebuild::BenchmarkOptions o = options({"sleep", "{t}"}, 3, 40, "wall");
  auto r = rebuild::run_benchmark(o, {"baseline", {{"t", "0.06"}}}, {"pgo", {{"t", "0.02"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->baseline_seconds.size(), 3u) << "a 3x speedup is clear after min_runs pairs";
  EXPECT_TRUE(r->decided);
  EXPECT_EQ(r->stopped_by, "decided");
  EXPECT_EQ(r->verdict, "improvement confirmed");
}

TEST(RebuildBenchmark, MaxTimeStopsAddingPairsAfterMinRuns) {
  rebuild::BenchmarkOptions o = options({"sleep", "0.02"}, 2, 1000, "wall");
  o.max_slowdown = 0;  // A/A against a floor of exactly 1: rarely decidable
  o.max_time = std::chrono::seconds{0};
  auto r = rebuild::run_benchmark(o, {"baseline", {}}, {"pgo", {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->baseline_seconds.size(), 2u);
  EXPECT_TRUE(r->stopped_by == "max_time" || r->stopped_by == "decided") << r->stopped_by;
}

TEST(RebuildBenchmark, UndecidedAtMaxRunsSaysSo) {
  // Interleaved noise around no change: the interval straddles a floor of 1.
  std::vector<double> base{1.0, 1.3, 0.8, 1.1, 0.9, 1.4, 0.7, 1.2};
  std::vector<double> pgo{1.1, 0.8, 1.2, 0.9, 1.3, 0.7, 1.0, 1.05};
  rebuild::BenchmarkResult r = rebuild::summarize_benchmark(base, pgo, 0.0);
  EXPECT_FALSE(r.decided);
  EXPECT_EQ(r.verdict, "no significant change");
}

TEST(RebuildBenchmark, AClearSlowdownIsADecidedRegression) {
  std::vector<double> base{1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.01, 0.99};
  std::vector<double> pgo;
  for (double b : base) pgo.push_back(b * 1.2);
  rebuild::BenchmarkResult r = rebuild::summarize_benchmark(base, pgo, 0.02);
  EXPECT_TRUE(r.decided);
  EXPECT_EQ(r.verdict, "regression");
  EXPECT_LT(r.speedup_high, 0.98);
}

}  // namespace
}  // namespace pgopipe
