// SPDX-License-Identifier: Apache-2.0
#include "rebuild/gate.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(RebuildGate, AnIntervalAboveOneIsAConfirmedImprovement) {
  rebuild::GateDecision d = rebuild::decide_gate(1.03, 1.12, 0.02);
  EXPECT_EQ(rebuild::verdict_name(d.verdict), "improvement confirmed");
  EXPECT_TRUE(d.publish);
  EXPECT_TRUE(d.decided);
}

TEST(RebuildGate, AnIntervalAroundOneWithinTheToleranceIsPublished) {
  rebuild::GateDecision d = rebuild::decide_gate(0.985, 1.02, 0.02);
  EXPECT_EQ(rebuild::verdict_name(d.verdict), "no significant change");
  EXPECT_TRUE(d.publish);
  EXPECT_TRUE(d.decided);
}

TEST(RebuildGate, AnIntervalReachingBelowTheFloorIsUndecidedAndNotPublished) {
  rebuild::GateDecision d = rebuild::decide_gate(0.95, 1.10, 0.02);
  EXPECT_EQ(rebuild::verdict_name(d.verdict), "no significant change");
  EXPECT_FALSE(d.publish);
  EXPECT_FALSE(d.decided) << "more pairs may still lift the lower bound";
}

TEST(RebuildGate, AnIntervalBelowTheFloorIsADecidedRegression) {
  rebuild::GateDecision d = rebuild::decide_gate(0.90, 0.97, 0.02);
  EXPECT_EQ(rebuild::verdict_name(d.verdict), "regression");
  EXPECT_FALSE(d.publish);
  EXPECT_TRUE(d.decided);
}

TEST(RebuildGate, ASmallRegressionWithinTheToleranceIsPublishedAndNamed) {
  rebuild::GateDecision d = rebuild::decide_gate(0.985, 0.995, 0.02);
  EXPECT_EQ(rebuild::verdict_name(d.verdict), "regression");
  EXPECT_TRUE(d.publish);
}

}  // namespace
}  // namespace pgopipe
