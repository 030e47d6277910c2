// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup_gc.hpp"

#include <gtest/gtest.h>

#include "core/store/rollup_listing.hpp"
#include "merger/compact.hpp"
#include "tests/unit/rollup_fixture.hpp"

namespace pgopipe {
namespace {

using testing::at;

class RollupGc : public testing::RollupStore {
 protected:
  std::vector<store::StoredObject> raw(const char* since, const char* until) {
    auto q = query(since, until);
    auto listed = store_->list(q);
    EXPECT_TRUE(listed) << listed.error().message;
    return listed ? *listed : std::vector<store::StoredObject>{};
  }
  void compact(const char* until) {
    merge::CompactRequest req{"svc", {at("2026-03-01T00:00:00Z"), at(until)}, {}, 1};
    auto r = merge::compact(*store_, req);
    ASSERT_TRUE(r) << r.error().message;
  }
};

TEST_F(RollupGc, AnAppWithoutRollupsGivesUpEverythingDue) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  auto plan = store::plan_raw_gc(*store_, "svc", raw("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->remove.size(), 1u);
  EXPECT_TRUE(plan->uncompacted.empty());
}

TEST_F(RollupGc, RawObjectsNoRollupCoversAreKept) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  compact("2026-03-01T11:00:00Z");
  std::string late = put("2026-03-01T10:30:00Z", {{"a", 1}});      // after the compaction
  std::string open = put("2026-03-01T11:30:00Z", {{"a", 1}});      // an hour not compacted
  auto plan = store::plan_raw_gc(*store_, "svc", raw("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"));
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->remove.size(), 1u);
  ASSERT_EQ(plan->uncompacted.size(), 2u);
  EXPECT_EQ(plan->uncompacted[0].key, late);
  EXPECT_EQ(plan->uncompacted[1].key, open);
}

TEST_F(RollupGc, RollupsExpireOnTheirOwnCutoffManifestAndParts) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  put("2026-03-01T11:05:00Z", {{"a", 5}});
  compact("2026-03-01T12:00:00Z");
  auto dry = store::gc_rollups_older_than(*store_, "svc", at("2026-03-01T11:30:00Z"), /*dry_run=*/true);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_EQ(*dry, std::vector<std::string>{"svc/rollup/hour/2026/03/01/10/g0001.json"});
  auto removed = store::gc_rollups_older_than(*store_, "svc", at("2026-03-01T11:30:00Z"), false);
  ASSERT_TRUE(removed) << removed.error().message;
  auto left = store_->list_raw("svc/rollup/");
  ASSERT_TRUE(left);
  // Hour 11 and the quarter 06:00-12:00 end after the cutoff.
  for (const auto& k : *left) {
    EXPECT_TRUE(k.starts_with("svc/rollup/hour/2026/03/01/11/") || k.starts_with("svc/rollup/quarter/2026/03/01/06/"))
        << k;
  }
  EXPECT_FALSE(left->empty());
  auto quarter = store::gc_rollups_older_than(*store_, "svc", at("2026-03-01T12:00:00Z"), /*dry_run=*/true);
  ASSERT_TRUE(quarter) << quarter.error().message;
  EXPECT_EQ(*quarter, (std::vector<std::string>{"svc/rollup/hour/2026/03/01/11/g0001.json",
                                                "svc/rollup/quarter/2026/03/01/06/g0001.json"}));
  EXPECT_EQ(raw("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z").size(), 2u);  // raw data untouched
}

}  // namespace
}  // namespace pgopipe
