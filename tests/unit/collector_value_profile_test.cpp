// SPDX-License-Identifier: Apache-2.0
#include "collector/value_profile.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "collector/interval_delta.hpp"

using namespace pgopipe::collector;

namespace {

constexpr uint64_t kMagic = 0xff6c70726f667281ULL;

void put64(std::string& b, uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); }

// Two function records: the first with one counter and no value sites, the second with one
// counter, two indirect-call sites (kind 0) and one memop site (kind 1); then its value data.
std::string make_raw(uint64_t c1, const std::vector<std::vector<ValueCount>>& sites) {
  std::string b;
  uint64_t header[16] = {kMagic, 10, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  for (uint64_t h : header) put64(b, h);
  std::string data(2 * 64, '\0');
  uint16_t ic = 2, memop = 1;
  std::memcpy(data.data() + 64 + 52, &ic, 2);
  std::memcpy(data.data() + 64 + 54, &memop, 2);
  b += data;
  put64(b, 7);
  put64(b, c1);
  FunctionValues f;
  f.record = 1;
  f.kinds = {0, 1};
  f.sites = {{sites[0], sites[1]}, {sites[2]}};
  return b + write_value_data({f});
}

std::vector<FunctionValues> values_of(const std::string& b) {
  auto l = parse_raw_layout(b);
  EXPECT_TRUE(l.ok()) << l.error().message;
  auto v = read_value_data(b, *l);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return v.ok() ? *v : std::vector<FunctionValues>{};
}

uint64_t count_of(const ValueSite& site, uint64_t value) {
  for (const auto& v : site) {
    if (v.value == value) return v.count;
  }
  return 0;
}

TEST(ValueProfile, ReadsWhatItWrites) {
  std::string b = make_raw(5, {{{0x1000, 3}, {0x2000, 4}}, {}, {{8, 9}}});
  auto v = values_of(b);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].record, 1u);
  ASSERT_EQ(v[0].sites.size(), 2u);
  ASSERT_EQ(v[0].sites[0].size(), 2u);
  EXPECT_EQ(count_of(v[0].sites[0][0], 0x2000), 4u);
  EXPECT_TRUE(v[0].sites[0][1].empty());
  EXPECT_EQ(count_of(v[0].sites[1][0], 8), 9u);
}

TEST(ValueProfile, RejectsTruncatedAndTrailingData) {
  std::string b = make_raw(5, {{{0x1000, 3}}, {}, {}});
  auto l = *parse_raw_layout(b);
  EXPECT_FALSE(read_value_data(b.substr(0, b.size() - 8), l).ok());
  EXPECT_FALSE(read_value_data(b + std::string(8, '\0'), l).ok());
  std::string no_values = b.substr(0, l.value_data_offset);
  EXPECT_FALSE(read_value_data(no_values, l).ok()) << "declared sites need their data";
}

TEST(ValueDelta, SubtractsPerSiteAndPerValue) {
  IntervalDelta d;
  std::string s1 = make_raw(10, {{{0x1000, 3}, {0x2000, 4}}, {}, {{8, 9}}});
  EXPECT_EQ(*d.apply(s1), 17u);
  auto v1 = values_of(s1);
  EXPECT_EQ(count_of(v1[0].sites[0][0], 0x1000), 3u) << "the first interval is cumulative";
  std::string s2 = make_raw(15, {{{0x1000, 3}, {0x2000, 10}, {0x3000, 2}}, {{0x1000, 1}}, {{8, 9}, {16, 5}}});
  EXPECT_EQ(*d.apply(s2), 5u);
  auto v2 = values_of(s2);
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[0].sites[0][0].size(), 2u) << "0x1000 did not grow and is left out";
  EXPECT_EQ(count_of(v2[0].sites[0][0], 0x2000), 6u);
  EXPECT_EQ(count_of(v2[0].sites[0][0], 0x3000), 2u);
  EXPECT_EQ(count_of(v2[0].sites[0][1], 0x1000), 1u);
  EXPECT_EQ(v2[0].sites[1][0].size(), 1u);
  EXPECT_EQ(count_of(v2[0].sites[1][0], 16), 5u);
}

TEST(ValueDelta, CountsGoingDownNeverGoNegative) {
  IntervalDelta d;
  std::string s1 = make_raw(10, {{{0x1000, 30}, {0x2000, 4}}, {}, {}});
  ASSERT_TRUE(d.apply(s1).ok());
  // Past the runtime's cap: 0x2000 was evicted for 0x3000, 0x1000 decayed.
  std::string s2 = make_raw(20, {{{0x1000, 25}, {0x3000, 1}}, {}, {}});
  ASSERT_TRUE(d.apply(s2).ok());
  auto v2 = values_of(s2);
  ASSERT_EQ(v2[0].sites[0][0].size(), 1u);
  EXPECT_EQ(count_of(v2[0].sites[0][0], 0x3000), 1u);
  EXPECT_EQ(d.value_decreases(), 1u);
  // The decayed count is the new baseline: growth from there counts.
  std::string s3 = make_raw(30, {{{0x1000, 27}, {0x3000, 1}}, {}, {}});
  ASSERT_TRUE(d.apply(s3).ok());
  EXPECT_EQ(count_of(values_of(s3)[0].sites[0][0], 0x1000), 2u);
}

TEST(ValueDelta, ALayoutChangeIsAnError) {
  IntervalDelta d;
  std::string s1 = make_raw(10, {{}, {}, {}});
  ASSERT_TRUE(d.apply(s1).ok());
  std::string other = s1;
  uint64_t more_counters = 3;
  std::memcpy(other.data() + 5 * 8, &more_counters, 8);
  other.insert(128 + 128 + 16, std::string(8, '\0'));
  EXPECT_FALSE(d.apply(other).ok());
}

}  // namespace
