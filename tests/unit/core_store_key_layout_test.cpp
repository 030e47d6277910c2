// SPDX-License-Identifier: Apache-2.0
#include "core/store/key_layout.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TimePoint at(const char* text) { return *parse_time(text, TimePoint{}); }

TEST(KeyLayout, PartitionsByAppAndCollectionHour) {
  ProfileMeta m;
  m.app = "svc";
  m.host = "web-1";
  m.format = ProfileFormat::PprofGzip;
  m.collected_at = at("2026-01-31T12:34:56.789Z");
  std::string key = store::object_key(m, "abcd");
  EXPECT_EQ(key, "svc/2026/01/31/12/20260131T123456.789000000Z-web-1-abcd.pb.gz");
  auto parsed = store::parse_object_key(key);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->app, "svc");
  EXPECT_EQ(parsed->host, "web-1");
  EXPECT_EQ(parsed->collected_at, m.collected_at);
  EXPECT_EQ(key.find(':'), std::string::npos);
  EXPECT_EQ(key.find('+'), std::string::npos);
}

TEST(KeyLayout, RejectsForeignAndInconsistentKeys) {
  EXPECT_FALSE(store::parse_object_key("svc/published/latest.profdata"));
  EXPECT_FALSE(store::parse_object_key("svc/2026/01/31/13/20260131T123456.789000000Z-web-1-abcd.pb.gz"));
}

TEST(KeyLayout, WindowListsOnlyNeededPartitions) {
  Window w{at("2026-01-31T22:30:00Z"), at("2026-02-02T01:00:00Z")};
  auto prefixes = store::partition_prefixes("svc", w);
  std::vector<std::string> expected = {"svc/2026/01/31/22/", "svc/2026/01/31/23/", "svc/2026/02/01/",
                                       "svc/2026/02/02/00/"};
  EXPECT_EQ(prefixes, expected);
  Window one_hour{at("2026-01-31T10:00:00Z"), at("2026-01-31T10:00:01Z")};
  EXPECT_EQ(store::partition_prefixes("svc", one_hour), std::vector<std::string>{"svc/2026/01/31/10/"});
}

}  // namespace
}  // namespace pgopipe
