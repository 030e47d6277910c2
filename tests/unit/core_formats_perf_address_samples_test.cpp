// SPDX-License-Identifier: Apache-2.0
#include "core/formats/perf/address_samples.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pgopipe::perf {
namespace {

TEST(AddressSamples, FoldsIdenticalStacksOnlyAndKeepsDistinctOnes) {
  AddressSamples s;
  uint32_t m = s.add_mapping({0x1000, 0x2000, 0, "ab", "/bin/app"});
  EXPECT_EQ(s.add_mapping({0x1000, 0x2000, 0, "ab", "/bin/app"}), m);
  std::vector<Frame> a{{0x1010, m}, {0x1020, m}};
  std::vector<Frame> b{{0x1010, m}};                // a prefix of a: a different stack
  std::vector<Frame> c{{0x1020, m}, {0x1010, m}};   // same frames, other order
  std::vector<Frame> d{{0x1010, kNoMapping}, {0x1020, m}};  // other mapping
  for (int i = 0; i < 3; ++i) s.add(a, 2);
  s.add(b, 1);
  s.add(c, 1);
  s.add(d, 1);
  s.add(a, 0);  // nothing
  ASSERT_EQ(s.samples().size(), 4u);
  EXPECT_EQ(s.samples()[0].count, 6u);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(s.samples()[i].count, 1u);
  EXPECT_EQ(s.stack(s.samples()[2])[0].address, 0x1020u);
  // Thousands of distinct stacks stay distinct (hash chains), repeats fold.
  for (uint64_t i = 0; i < 5000; ++i) {
    std::vector<Frame> x{{0x1000 + i, m}, {0x1100, m}};
    s.add(x, 1);
    s.add(x, 1);
  }
  ASSERT_EQ(s.samples().size(), 5004u);
  EXPECT_EQ(s.samples()[4003].count, 2u);
}

TEST(AddressSamples, ScaleMultipliesCountsAndStatsAndAbsorbRemapsMappings) {
  AddressSamples one;
  uint32_t m = one.add_mapping({0x1000, 0x2000, 0, "ab", "/bin/app"});
  std::vector<Frame> a{{0x1010, m}};
  one.add(a, 5);
  one.stats.samples = 5;
  one.stats.kernel_frames = 1;
  one.scale(3);
  EXPECT_EQ(one.samples()[0].count, 15u);
  EXPECT_EQ(one.stats.samples, 15u);
  EXPECT_EQ(one.stats.kernel_frames, 3u);

  AddressSamples all;
  all.add_mapping({0x5000, 0x6000, 0, "cd", "/lib/other.so"});
  all.absorb(one);
  ASSERT_EQ(all.mappings().size(), 2u);
  ASSERT_EQ(all.samples().size(), 1u);
  EXPECT_EQ(all.stack(all.samples()[0])[0].mapping, 1u);
  EXPECT_EQ(all.samples()[0].count, 15u);
  EXPECT_EQ(all.stats.samples, 15u);
}

}  // namespace
}  // namespace pgopipe::perf
