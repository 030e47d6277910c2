// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <map>

#include "core/formats/pprof/pprof.hpp"
#include "merger/pprof/pprof_engine.hpp"
#include "tests/unit/cpu_profiles.hpp"

namespace pgopipe::pprof_merge {
namespace {

// A CPU profile with one leaf-only sample per function: {name: samples}.
std::string profile(const std::map<std::string, int64_t>& flat) { return testing::cpu_profile(flat, 0); }

double overlap(const std::map<std::string, int64_t>& a, const std::map<std::string, int64_t>& b) {
  auto r = flat_overlap("a", profile(a), "b", profile(b));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : -1;
}

TEST(PprofFlatOverlap, SumsTheSmallerShareOfEachFunction) {
  EXPECT_DOUBLE_EQ(overlap({{"f", 3}, {"g", 1}}, {{"f", 30}, {"g", 10}}), 1.0);  // same shape, 10x the samples
  EXPECT_DOUBLE_EQ(overlap({{"f", 3}, {"g", 1}}, {{"f", 1}, {"g", 1}}), 0.75);   // min(.75,.5) + min(.25,.5)
  EXPECT_DOUBLE_EQ(overlap({{"f", 1}}, {{"g", 1}}), 0.0);                        // nothing in common
  EXPECT_DOUBLE_EQ(overlap({{"f", 1}}, {}), 0.0);                                // an empty profile
}

TEST(PprofFlatOverlap, AnUnreadableProfileIsNamed) {
  auto r = flat_overlap("published.pb.gz", "not a profile", "b", profile({{"f", 1}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("published.pb.gz"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace pgopipe::pprof_merge
