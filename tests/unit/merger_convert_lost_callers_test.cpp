// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/lost_callers.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "merger/convert/binaries.hpp"

namespace pgopipe::convert {
namespace {

// clang -O2 -fno-omit-frame-pointer for `void add(double v) { sum_ += v; }`:
//   0 push %rbp; 1 mov %rsp,%rbp; 4 addsd 0x8(%rdi),%xmm0; 9 movsd %xmm0,0x8(%rdi);
//   14 pop %rbp; 15 ret
const std::vector<uint8_t> kFramed = {0x55, 0x48, 0x89, 0xe5, 0xf2, 0x0f, 0x58, 0x47,
                                      0x08, 0xf2, 0x0f, 0x11, 0x47, 0x08, 0x5d, 0xc3};

TEST(SkipsCaller, FramedFunctionLosesItsCallerOnlyBeforeItsFrameAndAtItsReturn) {
  EXPECT_TRUE(skips_caller(kFramed, 0));    // push %rbp not yet done
  EXPECT_TRUE(skips_caller(kFramed, 1));    // %rbp still the caller's
  EXPECT_FALSE(skips_caller(kFramed, 4));   // the frame is set up
  EXPECT_FALSE(skips_caller(kFramed, 9));
  EXPECT_FALSE(skips_caller(kFramed, 14));  // pop %rbp not yet done
  EXPECT_TRUE(skips_caller(kFramed, 15));   // ret: %rbp is the caller's again
  EXPECT_FALSE(skips_caller(kFramed, 16));  // outside the function
}

TEST(SkipsCaller, Endbr64MovesThePrologueAndTailJumpsCountAsReturns) {
  std::vector<uint8_t> code = {0xf3, 0x0f, 0x1e, 0xfa};
  code.insert(code.end(), kFramed.begin(), kFramed.end());
  EXPECT_TRUE(skips_caller(code, 0));
  EXPECT_TRUE(skips_caller(code, 4));
  EXPECT_TRUE(skips_caller(code, 5));
  EXPECT_FALSE(skips_caller(code, 8));
  // ...; pop %rbp; jmp other (a tail call after the frame is gone)
  const std::vector<uint8_t> tail = {0x55, 0x48, 0x89, 0xe5, 0x90, 0x5d, 0xe9, 0, 0, 0, 0};
  EXPECT_FALSE(skips_caller(tail, 4));
  EXPECT_TRUE(skips_caller(tail, 6));
}

TEST(SkipsCaller, FunctionWithoutAFramePushLosesItsCallerAtItsEntryAndReturn) {
  // mov %edi,%eax; add $0x1,%eax; ret: no push %rbp at all (or one shrink-wrapping moved later).
  const std::vector<uint8_t> code = {0x89, 0xf8, 0x83, 0xc0, 0x01, 0xc3};
  EXPECT_TRUE(skips_caller(code, 0));
  EXPECT_FALSE(skips_caller(code, 2));
  EXPECT_TRUE(skips_caller(code, 5));
}

TEST(MethodSignature, OverridesShareTheirNameAndParameters) {
  EXPECT_EQ(method_signature("_ZN3svc12_GLOBAL__N_16SumAgg3addEd"), "add(double)");
  EXPECT_EQ(method_signature("_ZN3svc12_GLOBAL__N_111VarianceAgg3addEd"), "add(double)");
  EXPECT_NE(method_signature("_ZN3svc12_GLOBAL__N_16SumAgg3addEi"), "add(double)");
  EXPECT_EQ(method_signature("main"), "main");                  // not mangled: the name itself
  EXPECT_EQ(method_signature("_ZN3svc6SumAggD0Ev"), "_ZN3svc6SumAggD0Ev");  // destructors stay apart
}

class LostCallersTest : public ::testing::Test {
 protected:
  Binary prog_{"prog", "", {}, true};
  LostCallers::Site site(uint64_t vaddr) { return {&prog_, vaddr}; }

  static constexpr const char* kSum = "_ZN3svc12_GLOBAL__N_16SumAgg3addEd";
  static constexpr const char* kVariance = "_ZN3svc12_GLOBAL__N_111VarianceAgg3addEd";
  static constexpr const char* kMax = "_ZN3svc12_GLOBAL__N_16MaxAgg3addEd";
};

TEST_F(LostCallersTest, LostSamplesGoToTheSiteThatCallsOtherOverridesBelowTheGrandparent) {
  LostCallers lc;
  const auto dispatch = site(0x100), aggregate = site(0x200), unrelated = site(0x300);
  lc.note_nested(dispatch, aggregate);
  lc.note_nested(dispatch, unrelated);
  lc.note_target(aggregate, kVariance, 14);
  lc.note_target(aggregate, kMax, 4);
  lc.note_target(unrelated, "_Z3foov", 50);
  lc.note_lost(kSum, dispatch, 11);
  auto out = lc.resolve();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].site, aggregate);
  EXPECT_EQ(out[0].grandparent, dispatch);
  EXPECT_EQ(out[0].callee, kSum);
  EXPECT_EQ(out[0].count, 11u);
  EXPECT_TRUE(out[0].restored);
}

TEST_F(LostCallersTest, SharesFollowTheSitesSamplesAndAddUpToTheLostCount) {
  LostCallers lc;
  const auto g = site(0x100), heavy = site(0x200), light = site(0x300);
  lc.note_nested(g, heavy);
  lc.note_nested(g, light);
  lc.note_target(heavy, kSum, 3);  // the function itself counts too
  lc.note_target(light, kMax, 1);
  lc.note_lost(kSum, g, 10);
  auto out = lc.resolve();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].site, heavy);
  EXPECT_EQ(out[0].count, 8u);  // 7.5 rounded down, plus the one left over
  EXPECT_EQ(out[1].site, light);
  EXPECT_EQ(out[1].count, 2u);
}

TEST_F(LostCallersTest, WithoutAPlausibleSiteTheSamplesKeepTheStacksEdge) {
  LostCallers lc;
  const auto g = site(0x100), elsewhere = site(0x400), other_g = site(0x500);
  lc.note_nested(other_g, elsewhere);  // calls an override, but not below g
  lc.note_target(elsewhere, kVariance, 9);
  lc.note_lost(kSum, g, 5);
  auto out = lc.resolve();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].restored);
  EXPECT_EQ(out[0].site, g);
  EXPECT_EQ(out[0].count, 5u);
}

}  // namespace
}  // namespace pgopipe::convert
