// SPDX-License-Identifier: Apache-2.0
#include "core/store/key_layout.hpp"

#include "core/names.hpp"

namespace pgopipe::store {
namespace {

using namespace std::chrono;

std::string hour_prefix(std::string_view app, TimePoint t) {
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  auto h = floor<hours>(t - day_point).count();
  return fmt::format("{}/{:04d}/{:02d}/{:02d}/{:02d}/", app, int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), h);
}

std::string day_prefix(std::string_view app, TimePoint t) {
  year_month_day ymd{floor<days>(t)};
  return fmt::format("{}/{:04d}/{:02d}/{:02d}/", app, int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

}  // namespace

std::string object_key(const ProfileMeta& meta, std::string_view unique) {
  std::string host = meta.host.empty() ? "unknown-host" : meta.host;
  return fmt::format("{}{}-{}-{}.{}", hour_prefix(meta.app, meta.collected_at),
                     format_compact(meta.collected_at), host, unique, extension_of(meta.format));
}

std::vector<std::string> partition_prefixes(std::string_view app, const Window& window) {
  std::vector<std::string> out;
  TimePoint t = floor<hours>(window.since);
  // Whole days inside the window are listed with one day prefix; the edges hour by hour.
  while (t < window.until) {
    TimePoint day_start = floor<days>(t);
    TimePoint day_end = day_start + days{1};
    if (t == day_start && day_end <= window.until) {
      out.push_back(day_prefix(app, t));
      t = day_end;
    } else {
      out.push_back(hour_prefix(app, t));
      t += hours{1};
    }
  }
  return out;
}

Result<ParsedKey> parse_object_key(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::Integrity, "object key '{}' is not a profile key ({})",
                      printable(key), why);
  };
  // app / YYYY / MM / DD / HH / name
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = key.find('/', start);
    parts.push_back(key.substr(start, slash == std::string_view::npos ? key.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 6) return bad("expected app/YYYY/MM/DD/HH/name");
  std::string_view name = parts[5];
  size_t z = name.find('Z');
  if (z == std::string_view::npos || z + 1 >= name.size() || name[z + 1] != '-') {
    return bad("no timestamp");
  }
  auto t = parse_compact(name.substr(0, z + 1));
  if (!t) return bad("bad timestamp");
  std::string_view rest = name.substr(z + 2);  // host-unique.ext
  size_t dash = rest.rfind('-');
  if (dash == std::string_view::npos) return bad("no host");
  if (hour_prefix(parts[0], *t) != key.substr(0, key.size() - name.size())) {
    return bad("partition does not match the timestamp");
  }
  return ParsedKey{std::string(parts[0]), *t, std::string(rest.substr(0, dash))};
}

}  // namespace pgopipe::store
