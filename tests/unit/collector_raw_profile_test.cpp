// SPDX-License-Identifier: Apache-2.0
#include "collector/raw_profile.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace pgopipe::collector;

namespace {

constexpr uint64_t kMagic = 0xff6c70726f667281ULL;

void put64(std::string& b, uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); }

// A raw profile of one function with three counters and one indirect-call site.
std::string make_raw(uint64_t c0, uint64_t c1, uint64_t c2, uint64_t version = 10) {
  std::string b;
  uint64_t header[16] = {kMagic, version, 32, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  for (uint64_t h : header) put64(b, h);
  put64(b, 20);  // binary id: length, 20 bytes, 4 bytes padding
  for (int i = 0; i < 20; ++i) b.push_back(static_cast<char>(0xa0 + i));
  b.append(4, '\0');
  std::string data(64, '\0');
  uint16_t sites = 1;
  std::memcpy(data.data() + 52, &sites, 2);
  b += data;
  put64(b, c0);
  put64(b, c1);
  put64(b, c2);
  return b;
}

uint64_t counter(const std::string& b, const RawLayout& l, int i) {
  uint64_t v;
  std::memcpy(&v, b.data() + l.counters_offset + 8 * i, 8);
  return v;
}

TEST(RawProfile, ParsesTheLayout) {
  std::string b = make_raw(1, 2, 3);
  auto l = parse_raw_layout(b);
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->num_data, 1u);
  EXPECT_EQ(l->num_counters, 3u);
  EXPECT_EQ(l->counters_offset, 128u + 32 + 64);
  EXPECT_EQ(l->value_data_offset, 128u + 32 + 64 + 24);
  EXPECT_EQ(counter(b, *l, 2), 3u);
  EXPECT_EQ(first_binary_id(b, *l), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
}

TEST(RawProfile, RejectsOtherVersionsAndVariants) {
  EXPECT_FALSE(parse_raw_layout(make_raw(1, 2, 3, 9)).ok());
  auto coverage = parse_raw_layout(make_raw(1, 2, 3, 10 | (uint64_t{1} << 60)));
  ASSERT_FALSE(coverage.ok());
  EXPECT_NE(coverage.error().message.find("coverage"), std::string::npos);
  EXPECT_FALSE(parse_raw_layout(make_raw(1, 2, 3).substr(0, 200)).ok());
  EXPECT_FALSE(parse_raw_layout("short").ok());
}

TEST(RawProfile, FindsTheValueSites) {
  std::string b = make_raw(1, 2, 3);
  auto l = parse_raw_layout(b);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(has_value_sites(b, *l));
  EXPECT_EQ(value_sites(b, *l, 0, 0), 1u);
  EXPECT_EQ(value_sites(b, *l, 0, 1), 0u);
  EXPECT_EQ(l->value_data_offset, b.size()) << "no names, no value data";
}

TEST(CounterDelta, SuccessiveSnapshotsBecomeDeltas) {
  CounterDelta d;
  std::string s1 = make_raw(10, 0, 5);
  auto l = *parse_raw_layout(s1);
  EXPECT_EQ(*d.apply(s1, l), 15u);
  EXPECT_EQ(counter(s1, l, 0), 10u);
  std::string s2 = make_raw(25, 0, 5);
  EXPECT_EQ(*d.apply(s2, l), 15u);
  EXPECT_EQ(counter(s2, l, 0), 15u);
  EXPECT_EQ(counter(s2, l, 2), 0u);
  std::string idle = make_raw(25, 0, 5);
  EXPECT_EQ(*d.apply(idle, l), 0u);
}

TEST(CounterDelta, ACounterGoingDownKeepsItsBaseline) {
  CounterDelta d;
  std::string s1 = make_raw(100, 0, 0);
  auto l = *parse_raw_layout(s1);
  ASSERT_TRUE(d.apply(s1, l).ok());
  std::string s2 = make_raw(90, 0, 0);  // a lost non-atomic update
  EXPECT_EQ(*d.apply(s2, l), 0u);
  EXPECT_EQ(d.regressions(), 1u);
  std::string s3 = make_raw(130, 0, 0);
  EXPECT_EQ(*d.apply(s3, l), 30u);
}

}  // namespace
