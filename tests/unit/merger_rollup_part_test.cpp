// SPDX-License-Identifier: Apache-2.0
#include "merger/rollup_part.hpp"

#include <gtest/gtest.h>

#include "tests/unit/rollup_fixture.hpp"

namespace pgopipe {
namespace {

using testing::at;
using testing::flat_of;

class RollupPart : public testing::RollupStore {};

TEST_F(RollupPart, HoldsTheExactSumItsSpanAndTheProfilesDuration) {
  std::vector<merge::RollupInput> inputs;
  for (auto [when, value] : {std::pair{"2026-03-01T10:10:00Z", 5}, {"2026-03-01T10:50:00Z", 7}}) {
    std::string key = put(when, {{"a", value}, {"b", 1}});
    auto blob = store_->get(key);
    ASSERT_TRUE(blob);
    inputs.push_back({{key, blob->meta, 1}, at(when), at(when)});
  }
  store::RollupManifest m;
  m.app = "svc";
  m.start = at("2026-03-01T10:00:00Z");
  auto r = merge::write_rollup_part(*store_, m, inputs, {}, 2);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->part);
  EXPECT_TRUE(r->skipped.empty());
  const auto& part = *r->part;
  EXPECT_EQ(part.profiles, 2u);
  EXPECT_EQ(part.meta.collected_at, at("2026-03-01T10:30:00Z"));
  EXPECT_EQ(part.meta.duration, std::chrono::minutes{2});  // duration_nanos of the merged pprof
  EXPECT_EQ(part.meta.host, "rollup");
  EXPECT_EQ(part.meta.labels.at("env"), "prod");
  auto blob = store_->get(part.key);  // verified against the metadata stored with it
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(flat_of(blob->bytes), (std::map<std::string, int64_t>{{"a", 12}, {"b", 2}}));
}

TEST_F(RollupPart, NoMergeableInputMeansNoPartAndEveryInputNamed) {
  ProfileMeta bad;
  bad.app = "svc";
  bad.host = "h";
  bad.format = ProfileFormat::PprofGzip;
  bad.collected_at = at("2026-03-01T10:06:00Z");
  auto key = store_->put(bad, "garbage");
  ASSERT_TRUE(key);
  store::RollupManifest m;
  m.app = "svc";
  m.start = at("2026-03-01T10:00:00Z");
  auto r = merge::write_rollup_part(*store_, m, {{{*key, bad, 1}, bad.collected_at, bad.collected_at}}, {}, 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->part);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->skipped[0].key, *key);
}

}  // namespace
}  // namespace pgopipe
