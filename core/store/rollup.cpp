// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "core/names.hpp"
#include "core/store/key_layout.hpp"

namespace pgopipe::store {
namespace {

using namespace std::chrono;
using nlohmann::json;

constexpr size_t kMaxManifestEntries = 1'000'000;

std::string date_path(TimePoint t) {
  year_month_day ymd{floor<days>(t)};
  return fmt::format("{:04d}/{:02d}/{:02d}/", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
}

// Every level, finest first, with its key name and period (each divides a day evenly).
struct LevelInfo {
  RollupLevel level;
  std::string_view name;
  hours period;
};
constexpr LevelInfo kLevels[] = {{RollupLevel::Hour, "hour", hours{1}},
                                 {RollupLevel::Quarter, "quarter", hours{6}},
                                 {RollupLevel::Day, "day", hours{24}}};

const LevelInfo& info(RollupLevel level) {
  return *std::find_if(std::begin(kLevels), std::end(kLevels), [&](const LevelInfo& l) { return l.level == level; });
}

TimePoint period_start(RollupLevel level, TimePoint t) {
  const TimePoint day = floor<days>(t);
  const Duration period = period_of(level);
  return day + (t - day) / period * period;
}

// True when the raw object `key` of `app` was collected in [start, start + period).
bool raw_key_within(std::string_view key, std::string_view app, TimePoint start, Duration period) {
  auto parsed = parse_object_key(key);
  return parsed && parsed->app == app && parsed->collected_at >= start && parsed->collected_at < start + period;
}

json part_to_json(const RollupPart& p) {
  return {{"key", p.key}, {"meta", to_json(p.meta)}, {"profiles", p.profiles},
          {"first_collected", format_rfc3339(p.first_collected)},
          {"last_collected", format_rfc3339(p.last_collected)}};
}

class ManifestReader {
 public:
  ManifestReader(std::string_view key) : key_(key) {}

  Error bad(std::string_view why) const {
    return make_error(ErrorCode::Integrity, "rollup manifest {}: {}", printable(key_), why);
  }
  Result<const json*> field(const json& j, const char* name, json::value_t type) const {
    auto it = j.find(name);
    bool ok = it != j.end() && (it->type() == type ||
                                (type == json::value_t::number_unsigned && it->is_number_unsigned()));
    if (!ok) return bad(fmt::format("field '{}' is missing or has the wrong type", name));
    return &*it;
  }
  Result<TimePoint> time(const json& j, const char* name) const {
    PGO_TRY_ASSIGN(const json* v, field(j, name, json::value_t::string));
    auto t = parse_time(v->get<std::string>(), TimePoint{});
    if (!t) return bad(fmt::format("{}: {}", name, t.error().message));
    return *t;
  }
  Result<std::vector<std::string>> keys(const json& j, const char* name) const {
    PGO_TRY_ASSIGN(const json* v, field(j, name, json::value_t::array));
    if (v->size() > kMaxManifestEntries) return bad(fmt::format("'{}' has too many entries", name));
    std::vector<std::string> out;
    for (const auto& k : *v) {
      if (!k.is_string()) return bad(fmt::format("'{}' holds a non-string", name));
      PGO_TRY(check_key(k.get<std::string>()));
      out.push_back(k.get<std::string>());
    }
    return out;
  }
  Result<void> check_key(const std::string& key) const {
    if (auto v = validate_key(key); !v) return bad(v.error().message);
    return success();
  }

 private:
  std::string_view key_;
};

Result<RollupPart> part_from_json(const ManifestReader& r, const json& j) {
  if (!j.is_object()) return r.bad("a part is not an object");
  RollupPart p;
  PGO_TRY_ASSIGN(const json* key, r.field(j, "key", json::value_t::string));
  p.key = key->get<std::string>();
  PGO_TRY(r.check_key(p.key));
  PGO_TRY_ASSIGN(const json* meta, r.field(j, "meta", json::value_t::object));
  auto m = meta_from_json(*meta, p.key);
  if (!m) return r.bad(m.error().message);
  p.meta = std::move(*m);
  PGO_TRY_ASSIGN(const json* profiles, r.field(j, "profiles", json::value_t::number_unsigned));
  p.profiles = profiles->get<uint64_t>();
  PGO_TRY_ASSIGN(p.first_collected, r.time(j, "first_collected"));
  PGO_TRY_ASSIGN(p.last_collected, r.time(j, "last_collected"));
  if (p.profiles == 0 || p.last_collected < p.first_collected) return r.bad("a part covers nothing");
  return p;
}

// Every key a manifest names lies where its level and period say it must.
Result<void> check_placement(const ManifestReader& r, const RollupManifest& m) {
  std::string own = rollup_prefix(m.app, m.level, m.start);
  Duration period = period_of(m.level);
  for (const auto& p : m.parts) {
    if (!p.key.starts_with(own) || p.meta.app != m.app) return r.bad("part " + printable(p.key) + " lies outside the rollup");
  }
  for (const auto& input : m.inputs) {
    bool ok = false;
    if (m.level == RollupLevel::Hour) {
      ok = raw_key_within(input, m.app, m.start, period);
    } else {  // quarter and day rollups cover the hour rollups of their period
      auto hour = manifest_hour(m.app, input);
      ok = hour && *hour >= m.start && *hour < m.start + period;
    }
    if (!ok) return r.bad("input " + printable(input) + " lies outside the rollup's period");
  }
  for (const auto& k : m.kept) {
    if (!raw_key_within(k.key, m.app, m.start, period) || k.meta.app != m.app) {
      return r.bad("kept object " + printable(k.key) + " lies outside the rollup's period");
    }
  }
  return success();
}

}  // namespace

std::string_view to_string(RollupLevel level) { return info(level).name; }

Duration period_of(RollupLevel level) { return info(level).period; }

std::string rollup_prefix(std::string_view app, RollupLevel level, TimePoint start) {
  std::string out = rollups_of_day(app, level, start);
  if (level != RollupLevel::Day) out += fmt::format("{:02d}/", floor<hours>(start - floor<days>(start)).count());
  return out;
}

std::string rollups_of_day(std::string_view app, RollupLevel level, TimePoint day) {
  return fmt::format("{}/rollup/{}/{}", app, to_string(level), date_path(day));
}

std::string hour_rollups_of_day(std::string_view app, TimePoint day) {
  return rollups_of_day(app, RollupLevel::Hour, day);
}

std::string manifest_key(std::string_view app, RollupLevel level, TimePoint start, int generation) {
  return fmt::format("{}g{:04d}.json", rollup_prefix(app, level, start), generation);
}

std::optional<int> manifest_generation(std::string_view key) {
  std::string_view name = key.substr(key.rfind('/') + 1);
  if (name.size() != 10 || name[0] != 'g' || !name.ends_with(".json")) return std::nullopt;
  int n = 0;
  for (char c : name.substr(1, 4)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n > 0 ? std::optional<int>(n) : std::nullopt;
}

std::optional<std::pair<RollupLevel, TimePoint>> manifest_period(std::string_view app, std::string_view key) {
  // <app>/rollup/{hour,quarter}/YYYY/MM/DD/HH/gNNNN.json or <app>/rollup/day/YYYY/MM/DD/gNNNN.json
  if (!manifest_generation(key)) return std::nullopt;
  for (const auto& [level, name, period] : kLevels) {
    std::string head = fmt::format("{}/rollup/{}/", app, name);
    const bool has_hour = level != RollupLevel::Day;
    size_t want = has_hour ? 14 : 11;
    if (!key.starts_with(head) || key.size() != head.size() + want + 10) continue;
    std::string_view rest = key.substr(head.size());
    auto num = [&](size_t at, size_t n) {
      int v = 0;
      for (char c : rest.substr(at, n)) v = (c >= '0' && c <= '9') ? v * 10 + (c - '0') : -1000000;
      return v;
    };
    int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = has_hour ? num(11, 2) : 0;
    // Nanosecond time points end in 2262; keys are of collection times, never that far out.
    if (y < 1970 || y > 2200 || mo < 1 || d < 1 || h < 0 || h > 23) return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    TimePoint t = TimePoint{sys_days{ymd}} + hours{h};
    if (period_start(level, t) != t || rollup_prefix(app, level, t) != key.substr(0, key.size() - 10)) {
      return std::nullopt;
    }
    return std::pair{level, t};
  }
  return std::nullopt;
}

std::optional<TimePoint> manifest_hour(std::string_view app, std::string_view key) {
  auto period = manifest_period(app, key);
  if (!period || period->first != RollupLevel::Hour) return std::nullopt;
  return period->second;
}

std::string group_of(const ProfileMeta& meta) {
  std::string text = fmt::format("{}\n{}\n", to_string(meta.family()), meta.build_id);
  for (const auto& [k, v] : meta.labels) text += fmt::format("{}={}\n", k, v);
  return sha256_hex(text).substr(0, 16);
}

std::string inputs_digest(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  std::string text;
  for (const auto& k : keys) text += k + "\n";
  return sha256_hex(text);
}

std::string part_key(const RollupManifest& m, std::string_view group, std::string_view digest,
                     ProfileFormat format) {
  return fmt::format("{}g{:04d}-{}-{}.{}", rollup_prefix(m.app, m.level, m.start), m.generation, group,
                     digest.substr(0, 16), extension_of(format));
}

std::set<std::string> covered_inputs(const std::vector<RollupManifest>& manifests) {
  std::set<std::string> out;
  for (const auto& m : manifests) out.insert(m.inputs.begin(), m.inputs.end());
  return out;
}

std::string manifest_to_text(const RollupManifest& m) {
  json parts = json::array(), kept = json::array(), skipped = json::array();
  for (const auto& p : m.parts) parts.push_back(part_to_json(p));
  for (const auto& k : m.kept) kept.push_back({{"key", k.key}, {"meta", to_json(k.meta)}});
  for (const auto& s : m.skipped) skipped.push_back({{"key", s.key}, {"problem", s.problem}});
  json j{{"version", 1}, {"level", std::string(to_string(m.level))}, {"app", m.app},
         {"start", format_rfc3339(m.start)}, {"generation", m.generation},
         {"created", format_rfc3339(m.created)}, {"inputs_sha256", m.inputs_sha256},
         {"inputs", m.inputs}, {"parts", parts}, {"kept", kept}, {"skipped", skipped}};
  return j.dump(1) + "\n";
}

Result<RollupManifest> manifest_from_text(std::string_view key, std::string_view text) {
  ManifestReader r(key);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return r.bad("not a JSON object");
  RollupManifest m;
  PGO_TRY_ASSIGN(const json* level, r.field(j, "level", json::value_t::string));
  auto known = std::find_if(std::begin(kLevels), std::end(kLevels), [&](const LevelInfo& l) { return *level == l.name; });
  if (known == std::end(kLevels)) return r.bad("level is none of hour, quarter and day");
  m.level = known->level;
  PGO_TRY_ASSIGN(const json* app, r.field(j, "app", json::value_t::string));
  m.app = app->get<std::string>();
  if (auto v = validate_app(m.app); !v) return r.bad(v.error().message);
  PGO_TRY_ASSIGN(m.start, r.time(j, "start"));
  PGO_TRY_ASSIGN(m.created, r.time(j, "created"));
  PGO_TRY_ASSIGN(const json* gen, r.field(j, "generation", json::value_t::number_unsigned));
  m.generation = static_cast<int>(std::min<uint64_t>(gen->get<uint64_t>(), 10000));
  if (m.start != period_start(m.level, m.start) || manifest_key(m.app, m.level, m.start, m.generation) != key) {
    return r.bad("its content does not match its key");
  }
  PGO_TRY_ASSIGN(m.inputs, r.keys(j, "inputs"));
  PGO_TRY_ASSIGN(const json* digest, r.field(j, "inputs_sha256", json::value_t::string));
  m.inputs_sha256 = digest->get<std::string>();
  if (m.inputs_sha256 != inputs_digest(m.inputs)) return r.bad("inputs_sha256 does not match its inputs");
  PGO_TRY_ASSIGN(const json* parts, r.field(j, "parts", json::value_t::array));
  for (const auto& p : *parts) {
    PGO_TRY_ASSIGN(RollupPart part, part_from_json(r, p));
    m.parts.push_back(std::move(part));
  }
  PGO_TRY_ASSIGN(const json* kept, r.field(j, "kept", json::value_t::array));
  for (const auto& k : *kept) {
    if (!k.is_object()) return r.bad("a kept object is not an object");
    PGO_TRY_ASSIGN(const json* kk, r.field(k, "key", json::value_t::string));
    PGO_TRY_ASSIGN(const json* km, r.field(k, "meta", json::value_t::object));
    auto meta = meta_from_json(*km, kk->get<std::string>());
    if (!meta) return r.bad(meta.error().message);
    m.kept.push_back({kk->get<std::string>(), std::move(*meta)});
  }
  PGO_TRY_ASSIGN(const json* skipped, r.field(j, "skipped", json::value_t::array));
  for (const auto& s : *skipped) {
    if (!s.is_object()) return r.bad("a skipped input is not an object");
    PGO_TRY_ASSIGN(const json* sk, r.field(s, "key", json::value_t::string));
    PGO_TRY_ASSIGN(const json* sp, r.field(s, "problem", json::value_t::string));
    m.skipped.push_back({sk->get<std::string>(), sp->get<std::string>()});
  }
  PGO_TRY(check_placement(r, m));
  return m;
}

}  // namespace pgopipe::store
