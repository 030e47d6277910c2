// SPDX-License-Identifier: Apache-2.0
#include "merger/match/profile_match.hpp"

#include <gtest/gtest.h>

#include <string>

#include "merger/match/matchers.hpp"

namespace pgopipe::match {
namespace {

TEST(ProfileMatch, TallyCountsStatesAndWeightsAndKeepsOnlyTheMismatched) {
  ProfileMatch m;
  tally(m, {"a", 50, FunctionState::Matched, ""});
  tally(m, {"b", 30, FunctionState::Changed, "moved"});
  tally(m, {"c", 30, FunctionState::Missing, "gone"});
  tally(m, {"d", 90, FunctionState::Changed, "moved"});
  finish(m);
  EXPECT_EQ(m.functions, 4u);
  EXPECT_EQ(m.matched, 1u);
  EXPECT_EQ(m.changed, 2u);
  EXPECT_EQ(m.missing, 1u);
  EXPECT_EQ(m.total, 200u);
  EXPECT_EQ(m.matched_total, 50u);
  ASSERT_EQ(m.mismatched.size(), 3u);
  // Heaviest first, ties by name.
  EXPECT_EQ(m.mismatched[0].name, "d");
  EXPECT_EQ(m.mismatched[1].name, "b");
  EXPECT_EQ(m.mismatched[2].name, "c");
}

TEST(ProfileMatch, CpuSamplesAndUnknownBytesAreNamedErrors) {
  const std::string gzip("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  auto pprof = match_profile("cpu.pb.gz", gzip, "/bin/true");
  ASSERT_FALSE(pprof);
  EXPECT_EQ(pprof.error().code, ErrorCode::Usage);
  EXPECT_NE(pprof.error().message.find("cpu.pb.gz"), std::string::npos) << pprof.error().message;
  auto junk = match_profile("junk.bin", "\x01\x02 not a profile", "/bin/true");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::Input);
  EXPECT_NE(junk.error().message.find("junk.bin"), std::string::npos);
}

TEST(ProfileMatch, StatesHaveNames) {
  EXPECT_EQ(to_string(FunctionState::Matched), "matched");
  EXPECT_EQ(to_string(FunctionState::Changed), "changed");
  EXPECT_EQ(to_string(FunctionState::Missing), "missing");
}

}  // namespace
}  // namespace pgopipe::match
