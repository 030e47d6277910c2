// SPDX-License-Identifier: Apache-2.0
#include "merger/compact.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "core/store/key_layout.hpp"
#include "core/store/rollup_listing.hpp"
#include "merger/rollup_part.hpp"

namespace pgopipe::merge {
namespace {

using namespace std::chrono;
using store::RollupLevel;
using store::RollupManifest;

constexpr int kAttempts = 5;  // generations tried when other compactors write at the same time

// What one period's new generation would merge.
struct PeriodInputs {
  std::vector<std::string> keys;        // what the generation covers
  std::vector<RollupInput> objects;     // what it merges
  std::vector<store::StoredObject> kept;  // what it carries unmerged
};

// Collects the inputs of a period that `covered` does not hold yet.
using CollectFn = std::function<Result<PeriodInputs>(const std::set<std::string>& covered)>;

bool mergeable(const ProfileMeta& meta) {
  ProfileFamily f = meta.family();
  return f == ProfileFamily::Pprof || f == ProfileFamily::Instr || f == ProfileFamily::Sample;
}

// Merges each group of `in` into a part and fills the manifest (not yet written).
Result<void> build_generation(store::Store& store, RollupManifest& m, const PeriodInputs& in,
                              const CompactRequest& req, CompactReport& report) {
  std::map<std::string, std::vector<RollupInput>> groups;
  for (const auto& o : in.objects) groups[store::group_of(o.object.meta)].push_back(o);
  for (const auto& [group, inputs] : groups) {
    PGO_TRY_ASSIGN(PartResult r, write_rollup_part(store, m, inputs, req.limits, req.jobs));
    for (const auto& s : r.skipped) spdlog::warn("compact: skipping {}: {}", s.key, s.problem);
    report.skipped += r.skipped.size();
    m.skipped.insert(m.skipped.end(), r.skipped.begin(), r.skipped.end());
    if (r.part) m.parts.push_back(std::move(*r.part));
  }
  m.kept = in.kept;
  m.inputs = in.keys;
  std::sort(m.inputs.begin(), m.inputs.end());
  m.inputs_sha256 = store::inputs_digest(m.inputs);
  m.created = now();
  return success();
}

// Writes the next generation of one period, if it has anything new. Two compactors at once
// either agree (the same inputs: the manifest already there is the same) or the later one
// retries with what the earlier one left out.
Result<bool> compact_period(store::Store& store, RollupLevel level, TimePoint start, const CollectFn& collect,
                            const CompactRequest& req, CompactReport& report) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::vector<store::DamagedObject> damaged;
    PGO_TRY_ASSIGN(auto existing, store::read_manifests(store, req.app, level, start, &damaged));
    report.damaged += damaged.size();
    const std::set<std::string> covered = store::covered_inputs(existing);
    int generation = 0;
    for (const auto& m : existing) generation = std::max(generation, m.generation);
    PGO_TRY_ASSIGN(PeriodInputs in, collect(covered));
    if (in.keys.empty()) return false;
    RollupManifest m{level, req.app, start, generation + 1, {}, {}, {}, {}, {}, {}};
    PGO_TRY(build_generation(store, m, in, req, report));
    std::string key = store::manifest_key(req.app, level, start, m.generation);
    auto written = store.put_raw(key, store::manifest_to_text(m), /*exclusive=*/true);
    if (written) {
      report.parts += m.parts.size();
      if (level == RollupLevel::Hour) {
        for (const auto& p : m.parts) report.raw_profiles += p.profiles;
      }
      return true;
    }
    auto theirs_text = store.get_raw(key);
    if (!theirs_text) return written.error();
    auto theirs = store::manifest_from_text(key, *theirs_text);
    if (theirs && theirs->inputs_sha256 == m.inputs_sha256) return false;  // the same rollup, written by another run
    for (const auto& p : m.parts) {
      bool shared = theirs && std::any_of(theirs->parts.begin(), theirs->parts.end(),
                                          [&](const store::RollupPart& t) { return t.key == p.key; });
      if (!shared) PGO_TRY(store.remove(p.key));
    }
    spdlog::info("compact: {} was written by another compactor meanwhile; trying the next generation", key);
  }
  return make_error(ErrorCode::Store, "compact: {} {} of {}: other compactors kept writing new generations",
                    to_string(level), format_rfc3339(start), req.app);
}

// The raw object keys of each hour of `window`: a listing of keys only, no metadata, so an
// hour that is already compacted costs its listing and its manifests, nothing per object.
Result<std::map<TimePoint, std::vector<std::string>>> raw_keys_by_hour(store::Store& store, const std::string& app,
                                                                       const Window& window) {
  std::map<TimePoint, std::vector<std::string>> out;
  for (const auto& prefix : store::partition_prefixes(app, window)) {
    PGO_TRY_ASSIGN(auto keys, store.list_raw(prefix));
    for (auto& k : keys) {
      auto parsed = store::parse_object_key(k);
      if (parsed && parsed->app == app && window.contains(parsed->collected_at)) {
        out[floor<hours>(parsed->collected_at)].push_back(std::move(k));
      }
    }
  }
  return out;
}

Result<void> compact_hours(store::Store& store, const CompactRequest& req, CompactReport& report) {
  const Window window{floor<hours>(req.window.since), floor<hours>(req.window.until)};
  if (window.since >= window.until) return success();
  PGO_TRY_ASSIGN(auto by_hour, raw_keys_by_hour(store, req.app, window));
  for (const auto& [hour, keys] : by_hour) {
    std::vector<store::DamagedObject> damaged;
    PGO_TRY_ASSIGN(auto existing, store::read_manifests(store, req.app, RollupLevel::Hour, hour, &damaged));
    const std::set<std::string> covered = store::covered_inputs(existing);
    if (std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return covered.contains(k); })) {
      ++report.up_to_date;
      continue;
    }
    // Metadata is read only for hours with something new.
    store::Query q;
    q.app = req.app;
    q.window = {hour, hour + hours{1}};
    PGO_TRY_ASSIGN(auto objects, store.list(q, &damaged));
    report.damaged += damaged.size();
    auto collect = [&objects](const std::set<std::string>& now_covered) -> Result<PeriodInputs> {
      PeriodInputs in;
      for (const auto& o : objects) {
        if (now_covered.contains(o.key)) continue;
        in.keys.push_back(o.key);
        if (mergeable(o.meta)) {
          in.objects.push_back({o, o.meta.collected_at, o.meta.collected_at});
        } else {
          in.kept.push_back(o);
        }
      }
      return in;
    };
    PGO_TRY_ASSIGN(bool wrote, compact_period(store, RollupLevel::Hour, hour, collect, req, report));
    ++(wrote ? report.hour_generations : report.up_to_date);
  }
  return success();
}

// Compacts the hour rollups of one period (a quarter or a day) into its next generation.
// `hour_keys`: the listing of its day's hour rollups.
Result<void> compact_from_hours(store::Store& store, RollupLevel level, TimePoint start,
                                const std::vector<std::string>& hour_keys, const CompactRequest& req,
                                CompactReport& report) {
  const TimePoint end = start + store::period_of(level);
  auto in_period = [&](const std::string& k) {
    auto hour = store::manifest_hour(req.app, k);
    return hour && *hour >= start && *hour < end;
  };
  if (std::none_of(hour_keys.begin(), hour_keys.end(), in_period)) return success();
  auto collect = [&](const std::set<std::string>& covered) -> Result<PeriodInputs> {
    std::vector<std::string> fresh;
    for (const auto& k : hour_keys) {
      if (in_period(k) && !covered.contains(k)) fresh.push_back(k);
    }
    std::vector<store::DamagedObject> damaged;
    PGO_TRY_ASSIGN(auto manifests, store::read_manifest_keys(store, fresh, &damaged));
    report.damaged += damaged.size();
    PeriodInputs in;
    for (const auto& m : manifests) {
      in.keys.push_back(store::manifest_key(m.app, m.level, m.start, m.generation));
      for (const auto& p : m.parts) in.objects.push_back({{p.key, p.meta, p.profiles}, p.first_collected, p.last_collected});
      in.kept.insert(in.kept.end(), m.kept.begin(), m.kept.end());
    }
    return in;
  };
  PGO_TRY_ASSIGN(bool wrote, compact_period(store, level, start, collect, req, report));
  size_t& generations = level == RollupLevel::Day ? report.day_generations : report.quarter_generations;
  ++(wrote ? generations : report.up_to_date);
  return success();
}

// Each closed quarter and day of the window, from its hour rollups (one listing per day).
Result<void> compact_quarters_and_days(store::Store& store, const CompactRequest& req, CompactReport& report) {
  const Duration quarter = store::period_of(RollupLevel::Quarter);
  for (TimePoint day = floor<days>(req.window.since); day + quarter <= req.window.until; day += days{1}) {
    PGO_TRY_ASSIGN(auto hour_keys, store.list_raw(store::hour_rollups_of_day(req.app, day)));
    if (hour_keys.empty()) continue;
    for (TimePoint q = day; q < day + days{1} && q + quarter <= req.window.until; q += quarter) {
      PGO_TRY(compact_from_hours(store, RollupLevel::Quarter, q, hour_keys, req, report));
    }
    if (day + days{1} <= req.window.until) {
      PGO_TRY(compact_from_hours(store, RollupLevel::Day, day, hour_keys, req, report));
    }
  }
  return success();
}

}  // namespace

Result<CompactReport> compact(store::Store& store, const CompactRequest& request) {
  CompactReport report;
  // Hours are compacted from the start of the first day, so a quarter or day rollup never
  // stands for a period whose earlier hours were left raw.
  CompactRequest hours_request = request;
  hours_request.window.since = std::chrono::floor<std::chrono::days>(request.window.since);
  PGO_TRY(compact_hours(store, hours_request, report));
  PGO_TRY(compact_quarters_and_days(store, request, report));
  return report;
}

}  // namespace pgopipe::merge
