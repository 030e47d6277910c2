// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup_listing.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/parallel.hpp"

namespace pgopipe::store {
namespace {

using namespace std::chrono;

constexpr int kManifestReads = 8;  // manifests fetched at once

void add_manifest(const RollupManifest& m, const Query& q, std::vector<StoredObject>& out) {
  for (const auto& p : m.parts) {
    if (matches(q, p.meta)) out.push_back({p.key, p.meta, p.profiles});
  }
  for (const auto& k : m.kept) {
    if (matches(q, k.meta)) out.push_back(k);
  }
}

// Appends `w` to the raw windows, joining it to the last one when they touch.
void add_raw(std::vector<Window>& raw, Window w) {
  if (!raw.empty() && raw.back().until == w.since) {
    raw.back().until = w.until;
  } else {
    raw.push_back(w);
  }
}

using ManifestKeys = std::map<TimePoint, std::vector<std::string>>;  // period start -> its manifest keys

// Adds the rollups `manifests` of one quarter or day to `out`, with the hour generations of its
// period that they do not cover (written after them: uploads that arrived late).
Result<void> add_coarse(Store& store, const Query& q, const std::vector<RollupManifest>& manifests,
                        const ManifestKeys& hours_in_period, std::vector<StoredObject>& out,
                        std::vector<DamagedObject>* damaged) {
  const std::set<std::string> covered = covered_inputs(manifests);
  for (const auto& m : manifests) add_manifest(m, q, out);
  std::vector<std::string> late;
  for (const auto& [hour, keys] : hours_in_period) {
    for (const auto& k : keys) {
      if (!covered.contains(k)) late.push_back(k);
    }
  }
  PGO_TRY_ASSIGN(auto late_manifests, read_manifest_keys(store, late, damaged));
  for (const auto& m : late_manifests) add_manifest(m, q, out);
  return success();
}

// The hours of `all` in [start, start + period).
ManifestKeys hours_within(const ManifestKeys& all, TimePoint start, Duration period) {
  return ManifestKeys(all.lower_bound(start), all.lower_bound(start + period));
}

// One day of the window: the coarsest rollups that lie wholly inside it (day, else quarters),
// hour rollups for the whole hours left, raw windows for the rest. Day and quarter rollups are
// read only when no time decay asks for hour resolution (Query::day_rollups).
Result<void> list_day(Store& store, const Query& q, TimePoint day, std::vector<StoredObject>& out,
                      std::vector<Window>& raw, std::vector<DamagedObject>* damaged) {
  const TimePoint lo = std::max(q.window.since, day), hi = std::min(q.window.until, day + days{1});
  PGO_TRY_ASSIGN(std::vector<std::string> hour_keys, store.list_raw(hour_rollups_of_day(q.app, day)));
  ManifestKeys by_hour;
  for (auto& key : hour_keys) {
    if (auto h = manifest_hour(q.app, key)) by_hour[*h].push_back(std::move(key));
  }
  if (q.day_rollups && lo == day && hi == day + days{1}) {
    PGO_TRY_ASSIGN(auto day_manifests, read_manifests(store, q.app, RollupLevel::Day, day, damaged));
    if (!day_manifests.empty()) return add_coarse(store, q, day_manifests, by_hour, out, damaged);
  }
  // Quarters wholly inside the window, when it has any: one listing for the day's quarters.
  const Duration quarter = period_of(RollupLevel::Quarter);
  ManifestKeys by_quarter;
  const TimePoint first_quarter = day + (ceil<hours>(lo - day) + quarter - hours{1}) / quarter * quarter;
  if (q.day_rollups && first_quarter + quarter <= hi) {
    PGO_TRY_ASSIGN(std::vector<std::string> quarter_keys,
                   store.list_raw(rollups_of_day(q.app, RollupLevel::Quarter, day)));
    for (auto& key : quarter_keys) {
      auto period = manifest_period(q.app, key);
      if (period && period->first == RollupLevel::Quarter) by_quarter[period->second].push_back(std::move(key));
    }
  }
  for (TimePoint h = floor<hours>(lo); h < hi;) {
    if (auto qt = by_quarter.find(h); qt != by_quarter.end() && h >= lo && h + quarter <= hi) {
      PGO_TRY_ASSIGN(auto manifests, read_manifest_keys(store, qt->second, damaged));
      if (!manifests.empty()) {
        PGO_TRY(add_coarse(store, q, manifests, hours_within(by_hour, h, quarter), out, damaged));
        h += quarter;
        continue;
      }
    }
    auto it = by_hour.find(h);
    if (h >= lo && h + hours{1} <= hi && it != by_hour.end()) {
      PGO_TRY_ASSIGN(auto manifests, read_manifest_keys(store, it->second, damaged));
      if (manifests.size() == it->second.size()) {
        for (const auto& m : manifests) add_manifest(m, q, out);
        h += hours{1};
        continue;
      }
      // A damaged manifest: this hour is read from its raw objects instead.
    }
    add_raw(raw, Window{std::max(lo, h), std::min(hi, h + hours{1})});
    h += hours{1};
  }
  return success();
}

}  // namespace

Result<std::vector<RollupManifest>> read_manifest_keys(Store& store, const std::vector<std::string>& keys,
                                                       std::vector<DamagedObject>* damaged) {
  std::vector<std::string> manifests;
  for (const auto& k : keys) {
    if (manifest_generation(k)) manifests.push_back(k);
  }
  std::sort(manifests.begin(), manifests.end());
  std::vector<std::optional<RollupManifest>> read(manifests.size());
  std::vector<std::string> problems(manifests.size());
  PGO_TRY(parallel_for(manifests.size(), kManifestReads, [&](size_t i) -> Result<void> {
    auto text = store.get_raw(manifests[i]);
    if (!text && text.error().code == ErrorCode::NotFound) return success();  // removed by gc meanwhile
    if (!text) return text.error();
    auto m = manifest_from_text(manifests[i], *text);
    if (m) {
      read[i] = std::move(*m);
    } else {
      problems[i] = m.error().message;
    }
    return success();
  }));
  std::vector<RollupManifest> out;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (!problems[i].empty()) note_damaged(damaged, manifests[i], problems[i]);
    if (read[i]) out.push_back(std::move(*read[i]));
  }
  return out;
}

Result<std::vector<RollupManifest>> read_manifests(Store& store, std::string_view app, RollupLevel level,
                                                   TimePoint start, std::vector<DamagedObject>* damaged) {
  PGO_TRY_ASSIGN(std::vector<std::string> keys, store.list_raw(rollup_prefix(app, level, start)));
  return read_manifest_keys(store, keys, damaged);
}

Result<std::vector<StoredObject>> list_profiles(Store& store, const Query& q, std::vector<DamagedObject>* damaged) {
  if (q.raw_only) return store.list(q, damaged);
  std::vector<StoredObject> out;
  std::vector<Window> raw;
  for (TimePoint day = floor<days>(q.window.since); day < q.window.until; day += days{1}) {
    PGO_TRY(list_day(store, q, day, out, raw, damaged));
  }
  for (const Window& w : raw) {
    Query part = q;
    part.window = w;
    PGO_TRY_ASSIGN(std::vector<StoredObject> found, store.list(part, damaged));
    std::move(found.begin(), found.end(), std::back_inserter(out));
  }
  std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
    return std::tie(a.meta.collected_at, a.key) < std::tie(b.meta.collected_at, b.key);
  });
  return out;
}

}  // namespace pgopipe::store
