// SPDX-License-Identifier: Apache-2.0
#include "core/store/store.hpp"

#include <gtest/gtest.h>

#include "core/digest.hpp"

namespace pgopipe {
namespace {

ProfileMeta meta_at(TimePoint t) {
  ProfileMeta m;
  m.app = "web";
  m.format = ProfileFormat::SampleText;
  m.collected_at = t;
  m.build_id = "abcd01";
  m.labels = {{"region", "eu"}, {"canary", "no"}};
  return m;
}

TEST(StoreQuery, MatchesEveryFilter) {
  TimePoint t0 = parse_time("2026-03-01T10:00:00Z", TimePoint{}).value();
  store::Query q;
  q.app = "web";
  q.window = {t0, t0 + std::chrono::hours{1}};
  ProfileMeta m = meta_at(t0 + std::chrono::minutes{30});
  EXPECT_TRUE(store::matches(q, m));

  EXPECT_TRUE(store::matches(q, meta_at(t0)));                              // since is inside
  EXPECT_FALSE(store::matches(q, meta_at(t0 + std::chrono::hours{1})));     // until is outside
  EXPECT_FALSE(store::matches(q, meta_at(t0 - std::chrono::nanoseconds{1})));

  ProfileMeta other_app = m;
  other_app.app = "api";
  EXPECT_FALSE(store::matches(q, other_app));

  q.family = ProfileFamily::Sample;
  EXPECT_TRUE(store::matches(q, m));
  q.family = ProfileFamily::Instr;
  EXPECT_FALSE(store::matches(q, m));
  q.family.reset();

  q.build_id = "abcd01";
  EXPECT_TRUE(store::matches(q, m));
  q.build_id = "ffff";
  EXPECT_FALSE(store::matches(q, m));
  q.build_id.clear();

  q.labels = {{"region", "eu"}};
  EXPECT_TRUE(store::matches(q, m));
  q.labels = {{"region", "eu"}, {"canary", "yes"}};
  EXPECT_FALSE(store::matches(q, m));
  q.labels = {{"zone", "a"}};
  EXPECT_FALSE(store::matches(q, m));
}

TEST(StoreMeta, CompleteMetaFillsDigestSizeAndFormat) {
  const std::string bytes = "main:100:0\n 1: 100\n";
  ProfileMeta m;
  m.app = "web";
  m.collected_at = parse_time("2026-03-01T10:00:00Z", TimePoint{}).value();
  ASSERT_TRUE(store::complete_meta(m, bytes));
  EXPECT_EQ(m.sha256, sha256_hex(bytes));
  EXPECT_EQ(m.size, bytes.size());
  EXPECT_EQ(m.format, ProfileFormat::SampleText);

  // A given format is kept; a given digest must match the bytes.
  ProfileMeta given = m;
  given.format = ProfileFormat::SampleBinary;
  ASSERT_TRUE(store::complete_meta(given, bytes));
  EXPECT_EQ(given.format, ProfileFormat::SampleBinary);
  ProfileMeta wrong = m;
  wrong.sha256 = sha256_hex("other bytes");
  auto refused = store::complete_meta(wrong, bytes);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Integrity);

  // The metadata is validated too.
  ProfileMeta bad_app = m;
  bad_app.app = "has space";
  bad_app.sha256.clear();
  EXPECT_FALSE(store::complete_meta(bad_app, bytes));
}

TEST(StoreOptions, S3RegionNames) {
  for (const char* ok : {"us-east-1", "eu-central-2", "r", "a0-b1"}) EXPECT_TRUE(store::valid_s3_region(ok)) << ok;
  for (const char* bad : {"", "US-EAST-1", "us_east_1", "eu.west", "us-east-1/x", "a b"}) {
    EXPECT_FALSE(store::valid_s3_region(bad)) << bad;
  }
  EXPECT_TRUE(store::valid_s3_region(std::string(32, 'a')));
  EXPECT_FALSE(store::valid_s3_region(std::string(33, 'a')));
}

}  // namespace
}  // namespace pgopipe
