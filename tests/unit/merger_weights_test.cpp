// SPDX-License-Identifier: Apache-2.0
#include "merger/weights.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

using namespace std::chrono;

TimePoint at(const char* text) { return *parse_time(text, TimePoint{}); }

TEST(Weights, ExplicitWeightsAndUnknownNames) {
  merge::WeightPolicy p;
  ASSERT_TRUE(merge::add_weight_argument(p, "a.profraw=3"));
  ASSERT_TRUE(merge::add_weight_argument(p, "dir/b=c.profraw=0.5"));  // the last '=' separates
  EXPECT_FALSE(merge::add_weight_argument(p, "a.profraw=0"));
  EXPECT_FALSE(merge::add_weight_argument(p, "a.profraw=-1"));
  EXPECT_FALSE(merge::add_weight_argument(p, "a.profraw"));
  auto plan = merge::plan_weights(p, {{"a.profraw", {}, {}}, {"dir/b=c.profraw", {}, {}}, {"c", {}, {}}});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->weights, (std::vector<double>{3, 0.5, 1}));
  auto missing = merge::plan_weights(p, {{"a.profraw", {}, {}}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("dir/b=c.profraw"), std::string::npos);
}

TEST(Weights, HalfLifeDecayFromWindowEnd) {
  merge::WeightPolicy p;
  p.half_life = hours{6};
  p.window_end = at("2026-01-31T12:00:00Z");
  auto plan = merge::plan_weights(p, {{"now", at("2026-01-31T12:00:00Z"), {}},
                               {"6h", at("2026-01-31T06:00:00Z"), {}},
                               {"24h", at("2026-01-30T12:00:00Z"), {}},
                               {"file", std::nullopt, {}}});
  ASSERT_TRUE(plan);
  EXPECT_DOUBLE_EQ(plan->weights[0], 1.0);
  EXPECT_DOUBLE_EQ(plan->weights[1], 0.5);
  EXPECT_DOUBLE_EQ(plan->weights[2], 1.0 / 16);
  EXPECT_DOUBLE_EQ(plan->weights[3], 1.0);  // no collection time: no decay
}

TEST(Weights, IntegerWeightsAreScaledNeverZero) {
  std::vector<merge::WeightInput> inputs{{"a", {}, {}}, {"b", {}, {}}, {"c", {}, {}}};
  merge::WeightPlan integral{{1, 2, 5}, {}};
  EXPECT_EQ(merge::to_integer_weights(integral, inputs).weights, (std::vector<double>{1, 2, 5}));
  merge::WeightPlan decayed{{1.0, 0.5, 1e-9}, {}};
  auto ints = merge::to_integer_weights(decayed, inputs, 1000);
  EXPECT_EQ(ints.weights, (std::vector<double>{1000, 500, 1}));
  ASSERT_EQ(ints.notes.size(), 1u);
  EXPECT_NE(ints.notes[0].find("c:"), std::string::npos);
}

TEST(Weights, WeightFileNamesLine) {
  ScratchDir dir("pgopipe-weights");
  auto path = dir.path() / "weights.txt";
  std::ofstream(path) << "# weights\n2 a.profraw\nb.profraw=3\n\nbad line here=x\n";
  merge::WeightPolicy p;
  auto r = merge::add_weight_file(p, path.string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(path.string() + ":5"), std::string::npos) << r.error().message;
  EXPECT_EQ(p.explicit_weights["a.profraw"], 2);
  EXPECT_EQ(p.explicit_weights["b.profraw"], 3);
}

}  // namespace
}  // namespace pgopipe
