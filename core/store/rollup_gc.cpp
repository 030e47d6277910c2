// SPDX-License-Identifier: Apache-2.0
#include "core/store/rollup_gc.hpp"

#include <map>
#include <set>

#include "core/store/rollup.hpp"
#include "core/store/rollup_listing.hpp"

namespace pgopipe::store {

Result<RawGcPlan> plan_raw_gc(Store& store, const std::string& app, std::vector<StoredObject> objects) {
  RawGcPlan plan;
  PGO_TRY_ASSIGN(auto any_rollup, store.list_raw(app + "/rollup/"));
  if (any_rollup.empty()) {
    plan.remove = std::move(objects);
    return plan;
  }
  std::map<TimePoint, std::vector<StoredObject>> by_hour;
  for (auto& o : objects) {
    by_hour[std::chrono::floor<std::chrono::hours>(o.meta.collected_at)].push_back(std::move(o));
  }
  for (auto& [hour, hour_objects] : by_hour) {
    PGO_TRY_ASSIGN(auto manifests, read_manifests(store, app, RollupLevel::Hour, hour, nullptr));
    const std::set<std::string> covered = covered_inputs(manifests);
    for (auto& o : hour_objects) (covered.contains(o.key) ? plan.remove : plan.uncompacted).push_back(std::move(o));
  }
  return plan;
}

Result<std::vector<std::string>> gc_rollups_older_than(Store& store, const std::string& app, TimePoint cutoff,
                                                       bool dry_run) {
  PGO_TRY_ASSIGN(auto keys, store.list_raw(app + "/rollup/"));
  std::vector<std::string> expired;
  for (const auto& k : keys) {
    auto period = manifest_period(app, k);
    if (period && period->second + period_of(period->first) <= cutoff) expired.push_back(k);
  }
  if (dry_run) return expired;
  std::vector<DamagedObject> damaged;
  PGO_TRY_ASSIGN(auto manifests, read_manifest_keys(store, expired, &damaged));
  for (const auto& k : expired) PGO_TRY(store.remove_raw(k));
  for (const auto& m : manifests) {
    for (const auto& p : m.parts) PGO_TRY(store.remove(p.key));
  }
  return expired;
}

}  // namespace pgopipe::store
