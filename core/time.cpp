// SPDX-License-Identifier: Apache-2.0
#include "core/time.hpp"

#include <charconv>
#include <cstdint>

namespace pgopipe {
namespace {

using namespace std::chrono;

// Nanoseconds in an int64 reach from 1677 to 2262; profiles live well inside 1970..2261.
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2261;
constexpr double kMaxUnixSeconds = 9.0e9;

// Reads exactly `width` decimal digits at text[pos]; advances pos.
bool read_digits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  pos += width;
  return true;
}

// Reads ".ddd" (1..9 digits) if present at pos into nanoseconds.
bool read_fraction(std::string_view text, size_t& pos, int64_t& nanos) {
  nanos = 0;
  if (pos >= text.size() || text[pos] != '.') return true;
  ++pos;
  size_t start = pos;
  int64_t scale = 100000000;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (pos - start < 9) {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
    }
    ++pos;
  }
  return pos > start;
}

Result<TimePoint> make_time(int y, int mo, int d, int h, int mi, int s, int64_t nanos,
                            std::string_view text) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return make_error(ErrorCode::Usage, "'{}' is not a valid date/time", text);
  }
  if (y < kMinYear || y > kMaxYear) {
    return make_error(ErrorCode::Usage, "'{}' is outside the supported years {}..{}", text, kMinYear,
                      kMaxYear);
  }
  return TimePoint{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{s} +
                   nanoseconds{nanos}};
}

Result<TimePoint> parse_rfc3339(std::string_view text) {
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  auto bad = [&] {
    return make_error(ErrorCode::Usage,
                      "'{}' is not a time: use RFC 3339 (2026-01-31T12:00:00Z), unix seconds, "
                      "or a relative duration such as 24h",
                      text);
  };
  if (!read_digits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, d)) {
    return bad();
  }
  h = mi = s = 0;
  int64_t nanos = 0;
  if (pos == text.size()) return make_time(y, mo, d, 0, 0, 0, 0, text);  // date only = UTC midnight
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
  ++pos;
  if (!read_digits(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' ||
      !read_digits(text, pos, 2, mi) || pos >= text.size() || text[pos++] != ':' ||
      !read_digits(text, pos, 2, s) || !read_fraction(text, pos, nanos)) {
    return bad();
  }
  if (pos >= text.size()) return bad();  // an offset is required: no local-time guessing
  int64_t offset_minutes = 0;
  char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    ++pos;
    int oh, om;
    if (!read_digits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' ||
        !read_digits(text, pos, 2, om)) {
      return bad();
    }
    offset_minutes = (oh * 60 + om) * (z == '+' ? 1 : -1);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  PGO_TRY_ASSIGN(TimePoint t, make_time(y, mo, d, h, mi, s, nanos, text));
  return t - minutes{offset_minutes};
}

bool all_digits_or_dot(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return true;
}

void append_fraction(std::string& out, int64_t nanos) {
  if (nanos == 0) return;
  std::string digits = fmt::format("{:09d}", nanos);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

}  // namespace

TimePoint now() { return time_point_cast<Duration>(system_clock::now()); }

Result<Duration> parse_duration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::Usage,
                      "'{}' is not a duration ({}): use e.g. 90s, 30m, 24h, 7d, 1h30m", text, why);
  };
  if (text.empty()) return bad("empty");
  if (all_digits_or_dot(text) && text.find('.') == std::string_view::npos) {
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
    if (ec != std::errc{} || p != text.data() + text.size() || secs > 9'000'000'000) {
      return bad("out of range");
    }
    return duration_cast<Duration>(seconds{secs});
  }
  Duration total{0};
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.')) ++pos;
    if (pos == start) return bad("expected a number");
    double value = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + pos, value);
    if (ec != std::errc{} || p != text.data() + pos) return bad("bad number");
    size_t unit_start = pos;
    while (pos < text.size() && ((text[pos] >= 'a' && text[pos] <= 'z'))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    double ns_per_unit;
    if (unit == "ns") ns_per_unit = 1;
    else if (unit == "us") ns_per_unit = 1e3;
    else if (unit == "ms") ns_per_unit = 1e6;
    else if (unit == "s") ns_per_unit = 1e9;
    else if (unit == "m") ns_per_unit = 60e9;
    else if (unit == "h") ns_per_unit = 3600e9;
    else if (unit == "d") ns_per_unit = 86400e9;
    else if (unit == "w") ns_per_unit = 7 * 86400e9;
    else return bad(unit.empty() ? "missing unit" : "unknown unit");
    double ns = value * ns_per_unit;
    if (!(ns < 9e18) || total.count() > static_cast<int64_t>(9e18 - ns)) return bad("too large");
    total += Duration{static_cast<int64_t>(ns)};
  }
  return total;
}

Result<TimePoint> parse_time(std::string_view text, TimePoint reference) {
  if (text.empty()) return make_error(ErrorCode::Usage, "empty time");
  if (all_digits_or_dot(text)) {
    double secs = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
    if (ec != std::errc{} || p != text.data() + text.size()) {
      return make_error(ErrorCode::Usage, "'{}' is not unix seconds", text);
    }
    if (!(secs < kMaxUnixSeconds)) {
      return make_error(ErrorCode::Usage, "'{}' is too far in the future for unix seconds", text);
    }
    // Integer part exactly, fraction via double: keeps whole-second inputs exact.
    auto whole = static_cast<int64_t>(secs);
    auto frac = static_cast<int64_t>((secs - static_cast<double>(whole)) * 1e9 + 0.5);
    return TimePoint{seconds{whole} + nanoseconds{frac}};
  }
  if (text.size() >= 10 && text[4] == '-') return parse_rfc3339(text);
  auto d = parse_duration(text);
  if (!d) {
    return make_error(ErrorCode::Usage,
                      "'{}' is not a time: use RFC 3339 (2026-01-31T12:00:00Z), unix seconds, "
                      "or a relative duration such as 24h",
                      text);
  }
  return reference - *d;
}

std::string format_rfc3339(TimePoint t) {
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  hh_mm_ss hms{floor<seconds>(t - day_point)};
  int64_t nanos = (t - floor<seconds>(t)).count();
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", int(ymd.year()),
                                unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                                hms.minutes().count(), hms.seconds().count());
  append_fraction(out, nanos);
  out += 'Z';
  return out;
}

std::string format_compact(TimePoint t) {
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  hh_mm_ss hms{floor<seconds>(t - day_point)};
  int64_t nanos = (t - floor<seconds>(t)).count();
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}.{:09d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), nanos);
}

Result<TimePoint> parse_compact(std::string_view text) {
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  int64_t nanos = 0;
  if (!read_digits(text, pos, 4, y) || !read_digits(text, pos, 2, mo) ||
      !read_digits(text, pos, 2, d) || pos >= text.size() || text[pos++] != 'T' ||
      !read_digits(text, pos, 2, h) || !read_digits(text, pos, 2, mi) ||
      !read_digits(text, pos, 2, s) || !read_fraction(text, pos, nanos) ||
      pos + 1 != text.size() || text[pos] != 'Z') {
    return make_error(ErrorCode::Integrity, "'{}' is not a compact UTC timestamp", text);
  }
  return make_time(y, mo, d, h, mi, s, nanos, text);
}

std::string format_duration(Duration d) {
  if (d < Duration{0}) return "-" + format_duration(-d);
  auto total_ms = duration_cast<milliseconds>(d).count();
  if (total_ms < 1000) return fmt::format("{}ms", total_ms);
  auto h = total_ms / 3600000;
  auto m = (total_ms / 60000) % 60;
  double s = static_cast<double>(total_ms % 60000) / 1000.0;
  std::string out;
  if (h) out += fmt::format("{}h", h);
  if (h || m) out += fmt::format("{}m", m);
  out += fmt::format("{:g}s", s);
  return out;
}

Result<Window> parse_window(std::string_view since, std::string_view until, TimePoint reference) {
  PGO_TRY_ASSIGN(TimePoint s, parse_time(since, reference));
  TimePoint u = reference;
  if (!until.empty()) {
    PGO_TRY_ASSIGN(u, parse_time(until, reference));
  }
  if (s >= u) {
    return make_error(ErrorCode::Usage, "empty time window: since {} is not before until {}",
                      format_rfc3339(s), format_rfc3339(u));
  }
  return Window{s, u};
}

}  // namespace pgopipe
