// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/sample_totals.hpp"

#include <gtest/gtest.h>

namespace pgopipe::pprof_merge {
namespace {

// Tables with two sample types and the given values, one sample per pair.
Tables tables(const std::vector<std::pair<int64_t, int64_t>>& values) {
  Tables t;
  t.header.sample_types.resize(2);
  for (const auto& [count, nanos] : values) {
    t.samples.push_back({});
    t.values.push_back(count);
    t.values.push_back(nanos);
  }
  return t;
}

TEST(SampleTotals, SumsEachSampleType) {
  EXPECT_EQ(sample_totals(tables({{1, 10}, {2, 20}, {3, 30}})), (std::vector<double>{6, 60}));
  EXPECT_EQ(sample_totals(tables({})), (std::vector<double>{0, 0}));
}

TEST(SampleTotals, AddTotalsGrows) {
  std::vector<double> totals{1};
  add_totals(totals, {2, 3});
  EXPECT_EQ(totals, (std::vector<double>{3, 3}));
}

TEST(SampleTotals, RescaleHitsTheTargetPerTypeAndKeepsProportions) {
  Tables t = tables({{60, 600}, {180, 1800}});  // weighted as 60x what the inputs held
  rescale_to_totals(t, {4, 40});
  EXPECT_EQ(t.values, (std::vector<int64_t>{1, 10, 3, 30}));
  EXPECT_EQ(sample_totals(t), (std::vector<double>{4, 40}));
}

TEST(SampleTotals, ZeroTotalsAreLeftAlone) {
  Tables t = tables({{0, 5}});
  rescale_to_totals(t, {7, 0});
  EXPECT_EQ(t.values, (std::vector<int64_t>{0, 5}));
}

TEST(SampleTotals, ScaleValueRoundsAndSaturates) {
  bool clamped = false;
  EXPECT_EQ(scale_value(3, 0.5, clamped), 2);  // 1.5 rounds away from zero
  EXPECT_FALSE(clamped);
  EXPECT_EQ(scale_value(int64_t{1} << 40, 1e9, clamped), INT64_MAX);
  EXPECT_TRUE(clamped);
}

}  // namespace
}  // namespace pgopipe::pprof_merge
