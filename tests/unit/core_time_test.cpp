// SPDX-License-Identifier: Apache-2.0
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

using namespace std::chrono;

TimePoint at(const char* text) { return *parse_time(text, TimePoint{}); }

TEST(Time, ParsesRfc3339WithZoneAndFraction) {
  EXPECT_EQ(format_rfc3339(at("2026-01-31T12:00:00Z")), "2026-01-31T12:00:00Z");
  EXPECT_EQ(format_rfc3339(at("2026-01-31T12:00:00.25+02:00")), "2026-01-31T10:00:00.25Z");
  EXPECT_EQ(format_rfc3339(at("2026-01-31T23:30:00-01:00")), "2026-02-01T00:30:00Z");
  EXPECT_EQ(at("2026-01-31T12:00:00.123456789Z").time_since_epoch().count() % 1000000000, 123456789);
}

TEST(Time, RejectsLocalTimesAndGarbage) {
  EXPECT_FALSE(parse_time("2026-01-31T12:00:00", TimePoint{}));  // no zone
  EXPECT_FALSE(parse_time("2026-02-30T12:00:00Z", TimePoint{}));
  EXPECT_FALSE(parse_time("yesterday", TimePoint{}));
  EXPECT_FALSE(parse_time("", TimePoint{}));
}

TEST(Time, UnixSecondsAndRelative) {
  EXPECT_EQ(format_rfc3339(at("1700000000")), "2023-11-14T22:13:20Z");
  TimePoint ref = at("2026-01-31T12:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_time("24h", ref)), "2026-01-30T12:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_time("7d", ref)), "2026-01-24T12:00:00Z");
}

TEST(Time, OutOfRangeValuesAreErrorsNotOverflow) {
  // Found by fuzz_time: values beyond int64 nanoseconds must be rejected, not wrapped.
  EXPECT_FALSE(parse_time(std::string(36, '3') + ".6", TimePoint{}));
  EXPECT_FALSE(parse_time("9999-12-31T23:59:59Z", TimePoint{}));
  EXPECT_FALSE(parse_time("1900-01-01T00:00:00Z", TimePoint{}));
  EXPECT_FALSE(parse_duration("99999999999999999999s"));
  EXPECT_FALSE(parse_duration("200000w200000w"));
  EXPECT_FALSE(parse_duration("999999999999"));
  EXPECT_TRUE(parse_time("2261-12-31T00:00:00Z", TimePoint{}));
}

TEST(Time, Durations) {
  EXPECT_EQ(*parse_duration("90s"), seconds{90});
  EXPECT_EQ(*parse_duration("1h30m"), minutes{90});
  EXPECT_EQ(*parse_duration("500ms"), milliseconds{500});
  EXPECT_EQ(*parse_duration("2w"), days{14});
  EXPECT_EQ(*parse_duration("60"), seconds{60});
  EXPECT_FALSE(parse_duration("5 minutes"));
  EXPECT_FALSE(parse_duration("h"));
  EXPECT_EQ(format_duration(minutes{90}), "1h30m0s");
}

TEST(Time, CompactRoundTripSortsLikeTime) {
  TimePoint t = at("2026-11-22T02:53:08.000000123Z");
  EXPECT_EQ(format_compact(t), "20261122T025308.000000123Z");
  EXPECT_EQ(*parse_compact(format_compact(t)), t);
  EXPECT_LT(format_compact(t), format_compact(t + nanoseconds{1}));
  EXPECT_FALSE(parse_compact("20261122T025308Z-x"));
}

TEST(Time, WindowIsHalfOpenUtc) {
  TimePoint ref = at("2026-01-31T12:00:00Z");
  auto w = *parse_window("2026-01-31T10:00:00Z", "2026-01-31T11:00:00Z", ref);
  EXPECT_TRUE(w.contains(at("2026-01-31T10:00:00Z")));               // since inclusive
  EXPECT_TRUE(w.contains(at("2026-01-31T10:59:59.999999999Z")));
  EXPECT_FALSE(w.contains(at("2026-01-31T11:00:00Z")));              // until exclusive
  EXPECT_FALSE(w.contains(at("2026-01-31T09:59:59.999999999Z")));
  EXPECT_FALSE(parse_window("1h", "2h", ref));  // since after until
  auto relative = *parse_window("24h", "", ref);
  EXPECT_EQ(relative.until, ref);
}

}  // namespace
}  // namespace pgopipe
