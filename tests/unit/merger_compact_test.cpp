// SPDX-License-Identifier: Apache-2.0
#include "merger/compact.hpp"

#include <gtest/gtest.h>

#include "core/store/rollup_listing.hpp"
#include "tests/unit/rollup_fixture.hpp"

namespace pgopipe {
namespace {

using testing::at;
using testing::flat_of;

class Compact : public testing::RollupStore {
 protected:
  merge::CompactReport compact(const char* until = "2026-03-02T00:00:00Z") {
    merge::CompactRequest req{"svc", {at("2026-03-01T00:00:00Z"), at(until)}, {}, 2};
    auto r = merge::compact(*store_, req);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : merge::CompactReport{};
  }
  std::vector<store::RollupManifest> manifests(store::RollupLevel level, const char* start) {
    auto m = store::read_manifests(*store_, "svc", level, at(start), nullptr);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : std::vector<store::RollupManifest>{};
  }
};

TEST_F(Compact, OneRollupPerGroupAndHourThenOnePerDayAndARerunWritesNothing) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  put("2026-03-01T10:40:00Z", {{"a", 7}, {"b", 1}});
  put("2026-03-01T10:50:00Z", {{"c", 3}}, "canary");
  put("2026-03-01T11:15:00Z", {{"a", 2}});
  auto r = compact();
  EXPECT_EQ(r.hour_generations, 2u);
  EXPECT_EQ(r.quarter_generations, 1u);  // 06:00-12:00 holds both hours
  EXPECT_EQ(r.day_generations, 1u);
  EXPECT_EQ(r.raw_profiles, 4u);
  // hour 10: prod and canary, hour 11: prod; the quarter and the day: prod and canary each
  EXPECT_EQ(r.parts, 3u + 2u + 2u);
  auto quarter = manifests(store::RollupLevel::Quarter, "2026-03-01T06:00:00Z");
  ASSERT_EQ(quarter.size(), 1u);
  EXPECT_EQ(quarter[0].inputs.size(), 2u);  // the two hour manifests
  auto hour = manifests(store::RollupLevel::Hour, "2026-03-01T10:00:00Z");
  ASSERT_EQ(hour.size(), 1u);
  EXPECT_EQ(hour[0].inputs.size(), 3u);
  auto day = manifests(store::RollupLevel::Day, "2026-03-01T00:00:00Z");
  ASSERT_EQ(day.size(), 1u);
  ASSERT_EQ(day[0].parts.size(), 2u);
  for (const auto& p : day[0].parts) {
    auto blob = store_->get(p.key);
    ASSERT_TRUE(blob) << blob.error().message;
    if (p.meta.labels.at("env") == "prod") {
      EXPECT_EQ(p.profiles, 3u);
      EXPECT_EQ(flat_of(blob->bytes), (std::map<std::string, int64_t>{{"a", 14}, {"b", 1}}));
      EXPECT_EQ(p.first_collected, at("2026-03-01T10:05:00Z"));
      EXPECT_EQ(p.last_collected, at("2026-03-01T11:15:00Z"));
    } else {
      EXPECT_EQ(flat_of(blob->bytes), (std::map<std::string, int64_t>{{"c", 3}}));
    }
  }
  auto again = compact();
  EXPECT_EQ(again.hour_generations + again.quarter_generations + again.day_generations + again.parts, 0u);
  EXPECT_EQ(again.up_to_date, 4u);  // two hours, the quarter and the day
}

// Counts the listings that read metadata (one HEAD per object on S3).
class MetadataListings final : public store::Store {
 public:
  explicit MetadataListings(store::Store& inner) : inner_(inner) {}
  size_t listings = 0;
  Result<std::string> put(const ProfileMeta& m, std::string_view b) override { return inner_.put(m, b); }
  Result<void> put_at(std::string_view k, const ProfileMeta& m, std::string_view b) override { return inner_.put_at(k, m, b); }
  using store::Store::list;
  Result<std::vector<store::StoredObject>> list(const store::Query& q, std::vector<store::DamagedObject>* d) override {
    ++listings;
    return inner_.list(q, d);
  }
  Result<store::Blob> get(std::string_view key) override { return inner_.get(key); }
  Result<void> remove(std::string_view key) override { return inner_.remove(key); }
  Result<void> put_raw(std::string_view k, std::string_view b, bool e) override { return inner_.put_raw(k, b, e); }
  Result<std::string> get_raw(std::string_view k) override { return inner_.get_raw(k); }
  Result<std::vector<std::string>> list_raw(std::string_view p) override { return inner_.list_raw(p); }
  Result<void> remove_raw(std::string_view k) override { return inner_.remove_raw(k); }
  [[nodiscard]] std::string describe() const override { return inner_.describe(); }

 private:
  store::Store& inner_;
};

TEST_F(Compact, ARerunReadsNoObjectMetadataAndANewUploadOnlyItsHours) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  put("2026-03-01T11:05:00Z", {{"a", 5}});
  compact();
  MetadataListings counting(*store_);
  merge::CompactRequest req{"svc", {at("2026-03-01T00:00:00Z"), at("2026-03-02T00:00:00Z")}, {}, 2};
  auto r = merge::compact(counting, req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(counting.listings, 0u);
  EXPECT_EQ(r->up_to_date, 4u);  // two hours, their quarter and the day
  put("2026-03-01T11:30:00Z", {{"a", 1}});
  r = merge::compact(counting, req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(counting.listings, 1u);  // the one hour with a new upload
  EXPECT_EQ(r->hour_generations, 1u);
}

TEST_F(Compact, OpenHoursAndDaysWait) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  put("2026-03-01T11:05:00Z", {{"a", 5}});
  auto r = compact("2026-03-01T11:30:00Z");
  EXPECT_EQ(r.hour_generations, 1u);  // 11:00 has not ended
  EXPECT_EQ(r.day_generations, 0u);
}

TEST_F(Compact, ALateUploadBecomesTheNextGenerationOfItsHourAndDay) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  compact();
  std::string late = put("2026-03-01T10:55:00Z", {{"a", 1}});
  auto r = compact();
  EXPECT_EQ(r.hour_generations, 1u);
  EXPECT_EQ(r.quarter_generations, 1u);
  EXPECT_EQ(r.day_generations, 1u);
  EXPECT_EQ(r.raw_profiles, 1u);
  auto hour = manifests(store::RollupLevel::Hour, "2026-03-01T10:00:00Z");
  ASSERT_EQ(hour.size(), 2u);
  EXPECT_EQ(hour[1].generation, 2);
  EXPECT_EQ(hour[1].inputs, std::vector<std::string>{late});
  auto listed = store::list_profiles(*store_, query("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"));
  ASSERT_TRUE(listed) << listed.error().message;
  uint64_t profiles = 0;
  for (const auto& o : *listed) profiles += o.profiles;
  EXPECT_EQ(profiles, 2u);  // each raw profile once: day generation 1 and 2
}

TEST_F(Compact, AnInputThatCannotBeMergedIsSkippedByNameAndPerfDataIsCarried) {
  put("2026-03-01T10:05:00Z", {{"a", 5}});
  ProfileMeta bad;
  bad.app = "svc";
  bad.host = "h";
  bad.format = ProfileFormat::PprofGzip;
  bad.labels = {{"env", "prod"}};
  bad.collected_at = at("2026-03-01T10:06:00Z");
  auto bad_key = store_->put(bad, "not a profile");
  ASSERT_TRUE(bad_key);
  ProfileMeta perf = bad;
  perf.format = ProfileFormat::PerfData;
  perf.collected_at = at("2026-03-01T10:07:00Z");
  auto perf_key = store_->put(perf, "PERFILE2 samples");
  ASSERT_TRUE(perf_key);
  auto r = compact();
  EXPECT_EQ(r.skipped, 1u);
  auto hour = manifests(store::RollupLevel::Hour, "2026-03-01T10:00:00Z");
  ASSERT_EQ(hour.size(), 1u);
  ASSERT_EQ(hour[0].skipped.size(), 1u);
  EXPECT_EQ(hour[0].skipped[0].key, *bad_key);
  ASSERT_EQ(hour[0].kept.size(), 1u);
  EXPECT_EQ(hour[0].kept[0].key, *perf_key);
  auto listed = store::list_profiles(*store_, query("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);  // the day's part and the perf data, carried
}

}  // namespace
}  // namespace pgopipe
