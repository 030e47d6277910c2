// SPDX-License-Identifier: Apache-2.0
// Time points, durations and query windows. All times are UTC with nanosecond precision.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::sys_time<Duration>;

// Current wall-clock time.
TimePoint now();

// Parses "90s", "30m", "24h", "7d", "2w", "1h30m", "500ms"; a bare number is seconds.
Result<Duration> parse_duration(std::string_view text);

// Parses an absolute time (RFC 3339 with Z or an offset, or unix seconds, optionally with a
// fraction) or a relative one ("24h" = 24 hours before `reference`).
Result<TimePoint> parse_time(std::string_view text, TimePoint reference);

// "2026-11-22T02:53:08.123456789Z"; trailing fraction digits are kept to nanoseconds.
std::string format_rfc3339(TimePoint t);

// "20261122T025308.123456789Z": sortable, and free of ':' so it is safe in object keys.
std::string format_compact(TimePoint t);

// Parses format_compact() output.
Result<TimePoint> parse_compact(std::string_view text);

// "1h30m0s"-style rendering of a duration for humans.
std::string format_duration(Duration d);

// A half-open interval [since, until).
struct Window {
  TimePoint since;
  TimePoint until;

  // True when since <= t < until.
  [[nodiscard]] bool contains(TimePoint t) const { return since <= t && t < until; }
};

// Builds a window from user strings; `until` empty means `reference`. Errors if since >= until.
Result<Window> parse_window(std::string_view since, std::string_view until, TimePoint reference);

}  // namespace pgopipe
