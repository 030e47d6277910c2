// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgopipe {
namespace {

using store::RollupLevel;

TimePoint at(const char* text) { return *parse_time(text, TimePoint{}); }

store::RollupManifest sample_manifest() {
  store::RollupManifest m;
  m.level = RollupLevel::Hour;
  m.app = "svc";
  m.start = at("2026-01-31T12:00:00Z");
  m.generation = 2;
  m.inputs = {"svc/2026/01/31/12/20260131T121000.000000000Z-h1-aa.pb.gz",
              "svc/2026/01/31/12/20260131T123000.000000000Z-h2-bb.pb.gz"};
  m.inputs_sha256 = store::inputs_digest(m.inputs);
  store::RollupPart p;
  p.meta.app = "svc";
  p.meta.format = ProfileFormat::PprofGzip;
  p.meta.host = "rollup";
  p.meta.collected_at = at("2026-01-31T12:20:00Z");
  p.meta.sha256 = std::string(64, 'a');
  p.meta.size = 10;
  p.profiles = 2;
  p.first_collected = at("2026-01-31T12:10:00Z");
  p.last_collected = at("2026-01-31T12:30:00Z");
  p.key = store::part_key(m, store::group_of(p.meta), m.inputs_sha256, p.meta.format);
  m.parts.push_back(p);
  m.created = at("2026-01-31T14:00:00Z");
  return m;
}

TEST(RollupLayout, KeysNameLevelPeriodAndGeneration) {
  TimePoint t = at("2026-01-31T12:00:00Z");
  EXPECT_EQ(store::rollup_prefix("svc", RollupLevel::Hour, t), "svc/rollup/hour/2026/01/31/12/");
  EXPECT_EQ(store::rollup_prefix("svc", RollupLevel::Day, t), "svc/rollup/day/2026/01/31/");
  EXPECT_EQ(store::manifest_key("svc", RollupLevel::Hour, t, 3), "svc/rollup/hour/2026/01/31/12/g0003.json");
  EXPECT_EQ(store::manifest_generation("svc/rollup/day/2026/01/31/g0012.json"), 12);
  EXPECT_FALSE(store::manifest_generation("svc/rollup/day/2026/01/31/g0012-abc-def.pb.gz"));
  EXPECT_FALSE(store::manifest_generation("svc/rollup/day/2026/01/31/g0000.json"));
  auto hour = store::manifest_period("svc", "svc/rollup/hour/2026/01/31/12/g0001.json");
  ASSERT_TRUE(hour);
  EXPECT_EQ(hour->first, RollupLevel::Hour);
  EXPECT_EQ(hour->second, t);
  auto day = store::manifest_period("svc", "svc/rollup/day/2026/01/31/g0001.json");
  ASSERT_TRUE(day);
  EXPECT_EQ(day->first, RollupLevel::Day);
  EXPECT_EQ(store::manifest_hour("svc", "svc/rollup/day/2026/01/31/g0001.json"), std::nullopt);
  EXPECT_FALSE(store::manifest_period("svc", "svc/rollup/hour/2026/02/30/12/g0001.json"));  // no such day
  EXPECT_FALSE(store::manifest_period("svc", "svc/rollup/hour/2026/01/31/24/g0001.json"));
  EXPECT_FALSE(store::manifest_period("svc", "svc/rollup/day/5070/12/03/g0001.json"));  // beyond nanosecond time
  EXPECT_FALSE(store::manifest_period("other", "svc/rollup/hour/2026/01/31/12/g0001.json"));
}

TEST(RollupLayout, QuartersStartAtMidnightSixNoonAndEighteen) {
  TimePoint noon = at("2026-01-31T12:00:00Z");
  EXPECT_EQ(store::rollup_prefix("svc", RollupLevel::Quarter, noon), "svc/rollup/quarter/2026/01/31/12/");
  EXPECT_EQ(store::period_of(RollupLevel::Quarter), std::chrono::hours{6});
  auto q = store::manifest_period("svc", "svc/rollup/quarter/2026/01/31/18/g0002.json");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->first, RollupLevel::Quarter);
  EXPECT_EQ(q->second, at("2026-01-31T18:00:00Z"));
  EXPECT_FALSE(store::manifest_hour("svc", "svc/rollup/quarter/2026/01/31/18/g0002.json"));
  // Not a quarter's start: no manifest of any level lives there.
  EXPECT_FALSE(store::manifest_period("svc", "svc/rollup/quarter/2026/01/31/13/g0001.json"));
  EXPECT_EQ(store::rollups_of_day("svc", RollupLevel::Quarter, noon), "svc/rollup/quarter/2026/01/31/");
}

TEST(RollupManifest, AQuarterCoversOnlyTheHourRollupsOfItsSixHours) {
  store::RollupManifest m;
  m.level = RollupLevel::Quarter;
  m.app = "svc";
  m.start = at("2026-01-31T06:00:00Z");
  m.inputs = {"svc/rollup/hour/2026/01/31/06/g0001.json", "svc/rollup/hour/2026/01/31/11/g0002.json"};
  m.inputs_sha256 = store::inputs_digest(m.inputs);
  m.created = m.start;
  std::string key = store::manifest_key("svc", RollupLevel::Quarter, m.start, 1);
  auto ok = store::manifest_from_text(key, store::manifest_to_text(m));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->level, RollupLevel::Quarter);
  m.inputs.push_back("svc/rollup/hour/2026/01/31/12/g0001.json");  // the next quarter's hour
  m.inputs_sha256 = store::inputs_digest(m.inputs);
  auto outside = store::manifest_from_text(key, store::manifest_to_text(m));
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("lies outside the rollup's period"), std::string::npos)
      << outside.error().message;
}

TEST(RollupLayout, GroupsByKindBuildIdAndLabels) {
  ProfileMeta a;
  a.format = ProfileFormat::PprofGzip;
  a.labels = {{"env", "prod"}};
  ProfileMeta b = a;
  b.format = ProfileFormat::Pprof;  // same kind
  EXPECT_EQ(store::group_of(a), store::group_of(b));
  b.labels["env"] = "canary";
  EXPECT_NE(store::group_of(a), store::group_of(b));
  ProfileMeta c = a;
  c.build_id = "abcd";
  EXPECT_NE(store::group_of(a), store::group_of(c));
  EXPECT_EQ(store::inputs_digest({"b", "a"}), store::inputs_digest({"a", "b"}));
}

TEST(RollupManifest, CoveredInputsAreTheUnionOfTheGenerations) {
  auto first = sample_manifest();
  auto second = sample_manifest();
  second.inputs = {"svc/2026/01/31/12/20260131T125000.000000000Z-h3-cc.pb.gz"};
  auto covered = store::covered_inputs({first, second});
  EXPECT_EQ(covered.size(), 3u);
  EXPECT_TRUE(covered.contains(second.inputs[0]));
  EXPECT_TRUE(store::covered_inputs({}).empty());
}

TEST(RollupManifest, RoundTrips) {
  auto m = sample_manifest();
  std::string key = store::manifest_key(m.app, m.level, m.start, m.generation);
  auto back = store::manifest_from_text(key, store::manifest_to_text(m));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->inputs, m.inputs);
  ASSERT_EQ(back->parts.size(), 1u);
  EXPECT_EQ(back->parts[0].key, m.parts[0].key);
  EXPECT_EQ(back->parts[0].profiles, 2u);
  EXPECT_EQ(back->parts[0].meta.collected_at, m.parts[0].meta.collected_at);
}

// Each hostile edit of a valid manifest is an Integrity error naming the manifest's key.
TEST(RollupManifest, RejectsManifestsThatPointElsewhereOrLie) {
  auto m = sample_manifest();
  std::string key = store::manifest_key(m.app, m.level, m.start, m.generation);
  auto edited = [&](auto edit) {
    auto j = nlohmann::json::parse(store::manifest_to_text(m));
    edit(j);
    return store::manifest_from_text(key, j.dump());
  };
  std::vector<Result<store::RollupManifest>> bad;
  bad.push_back(edited([](auto& j) { j["parts"][0]["key"] = "svc/../other/secret"; }));
  bad.push_back(edited([](auto& j) { j["parts"][0]["key"] = "other/rollup/hour/2026/01/31/12/g0002-x.pb.gz"; }));
  bad.push_back(edited([](auto& j) { j["inputs"][0] = "svc/2026/01/31/13/20260131T131000.000000000Z-h1-aa.pb.gz"; }));
  bad.push_back(edited([](auto& j) { j["inputs"].push_back("svc/2026/01/31/12/20260131T124000.000000000Z-h3-cc.pb.gz"); }));
  bad.push_back(edited([](auto& j) { j["generation"] = 3; }));
  bad.push_back(edited([](auto& j) { j["parts"][0]["profiles"] = 0; }));
  bad.push_back(edited([](auto& j) { j["parts"][0]["meta"]["app"] = "other"; }));
  bad.push_back(store::manifest_from_text(key, "{not json"));
  for (size_t i = 0; i < bad.size(); ++i) {
    ASSERT_FALSE(bad[i]) << "edit " << i << " was accepted";
    EXPECT_EQ(bad[i].error().code, ErrorCode::Integrity) << i;
    EXPECT_NE(bad[i].error().message.find("g0002.json"), std::string::npos) << bad[i].error().message;
  }
}

}  // namespace
}  // namespace pgopipe
