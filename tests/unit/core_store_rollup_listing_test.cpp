// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup_listing.hpp"

#include <gtest/gtest.h>

#include "merger/compact.hpp"
#include "tests/unit/rollup_fixture.hpp"

namespace pgopipe {
namespace {

using testing::at;

class RollupListing : public testing::RollupStore {
 protected:
  void SetUp() override {
    RollupStore::SetUp();
    early_ = put("2026-03-01T09:40:00Z", {{"a", 1}});
    put("2026-03-01T10:05:00Z", {{"a", 5}});
    put("2026-03-01T10:40:00Z", {{"a", 7}});
    late_ = put("2026-03-01T11:10:00Z", {{"a", 2}});
    merge::CompactRequest req{"svc", {at("2026-03-01T00:00:00Z"), at("2026-03-01T12:00:00Z")}, {}, 1};
    auto r = merge::compact(*store_, req);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::vector<std::string> keys(const store::Query& q, std::vector<store::DamagedObject>* damaged = nullptr) {
    auto listed = store::list_profiles(*store_, q, damaged);
    EXPECT_TRUE(listed) << listed.error().message;
    std::vector<std::string> out;
    if (listed) {
      for (const auto& o : *listed) out.push_back(o.key);
    }
    return out;
  }
  std::string early_, late_;
};

TEST_F(RollupListing, WholeHoursComeFromRollupsAndTheEdgesFromRawObjects) {
  auto q = query("2026-03-01T09:30:00Z", "2026-03-01T11:30:00Z");
  auto listed = store::list_profiles(*store_, q);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, early_);               // 09:30-10:00: raw edge
  EXPECT_TRUE((*listed)[1].key.starts_with("svc/rollup/hour/2026/03/01/10/g0001-"));
  EXPECT_EQ((*listed)[1].profiles, 2u);
  EXPECT_EQ((*listed)[1].meta.collected_at, at("2026-03-01T10:22:30Z"));  // the span's midpoint
  EXPECT_EQ((*listed)[2].key, late_);                // 11:00-11:30: raw edge
  q.raw_only = true;
  EXPECT_EQ(keys(q).size(), 4u);
}

TEST_F(RollupListing, WholeDaysComeFromDayRollupsUnlessOnlyHoursAreAllowed) {
  merge::CompactRequest req{"svc", {at("2026-03-01T00:00:00Z"), at("2026-03-02T00:00:00Z")}, {}, 1};
  ASSERT_TRUE(merge::compact(*store_, req));
  auto q = query("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z");
  auto k = keys(q);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_TRUE(k[0].starts_with("svc/rollup/day/2026/03/01/g0001-")) << k[0];
  q.day_rollups = false;
  k = keys(q);
  ASSERT_EQ(k.size(), 3u);
  for (const auto& key : k) EXPECT_TRUE(key.starts_with("svc/rollup/hour/2026/03/01/")) << key;
}

TEST_F(RollupListing, WholeQuartersOfAPartialDayComeFromQuarterRollupsAndLateHoursBesideThem) {
  // The fixture compacted up to 12:00: hours 09, 10, 11 and the quarter 06:00-12:00.
  auto q = query("2026-03-01T05:30:00Z", "2026-03-01T12:30:00Z");
  auto k = keys(q);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_TRUE(k[0].starts_with("svc/rollup/quarter/2026/03/01/06/g0001-")) << k[0];
  auto listed = store::list_profiles(*store_, q);
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].profiles, 4u);
  // A late upload into hour 10, compacted as its second generation only (not its quarter's):
  // listed beside the quarter, never inside it twice.
  std::string late = put("2026-03-01T10:50:00Z", {{"a", 3}});
  merge::CompactRequest hours_only{"svc", {at("2026-03-01T10:00:00Z"), at("2026-03-01T11:00:00Z")}, {}, 1};
  ASSERT_TRUE(merge::compact(*store_, hours_only));
  k = keys(q);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_TRUE(k[0].starts_with("svc/rollup/quarter/2026/03/01/06/g0001-")) << k[0];
  EXPECT_TRUE(k[1].starts_with("svc/rollup/hour/2026/03/01/10/g0002-")) << k[1];
  // With time decay only hour rollups are read.
  q.day_rollups = false;
  for (const auto& key : keys(q)) EXPECT_TRUE(key.starts_with("svc/rollup/hour/")) << key;
  // A window holding only part of the quarter reads its hours.
  for (const auto& key : keys(query("2026-03-01T07:00:00Z", "2026-03-01T12:00:00Z"))) {
    EXPECT_TRUE(key.starts_with("svc/rollup/hour/")) << key;
  }
}

TEST_F(RollupListing, FiltersApplyToRollups) {
  auto q = query("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z");
  EXPECT_EQ(keys(q).size(), 1u);
  q.labels = {{"env", "canary"}};
  EXPECT_TRUE(keys(q).empty());
  q.labels = {};
  q.family = ProfileFamily::Instr;
  EXPECT_TRUE(keys(q).empty());
}

TEST_F(RollupListing, ADamagedManifestIsNamedAndItsHourReadRaw) {
  std::string manifest = store::manifest_key("svc", store::RollupLevel::Hour, at("2026-03-01T10:00:00Z"), 1);
  ASSERT_TRUE(store_->put_raw(manifest, "{\"level\": \"hour\"}", /*exclusive=*/false));
  std::vector<store::DamagedObject> damaged;
  auto k = keys(query("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), &damaged);
  EXPECT_EQ(k.size(), 2u);  // the two raw objects of 10:00
  for (const auto& key : k) EXPECT_TRUE(key.starts_with("svc/2026/03/01/10/")) << key;
  ASSERT_EQ(damaged.size(), 1u);
  EXPECT_EQ(damaged[0].key, manifest);
}

}  // namespace
}  // namespace pgopipe
