// SPDX-License-Identifier: Apache-2.0
// Rollups: the merged profiles of closed hours, quarters (6 hours) and days that `pgopipe
// compact` writes, so a window query reads a few objects per day instead of every raw upload.
// Key layout:
//   <app>/rollup/hour/YYYY/MM/DD/HH/gNNNN.json                     manifest of generation N
//   <app>/rollup/hour/YYYY/MM/DD/HH/gNNNN-<group>-<inputs>.<ext>   one merged profile per group
//   <app>/rollup/quarter/YYYY/MM/DD/HH/gNNNN.json  (HH = 00, 06, 12, 18; and its parts)
//   <app>/rollup/day/YYYY/MM/DD/gNNNN.json  (and its parts)
// A group is one (kind, build ID, label set); <inputs> is a digest of what the part merges, so
// two compactors merging the same inputs write the same key with the same bytes. The manifest
// is written last and exclusively: a rollup exists once its manifest does. Generation N covers
// inputs (raw object keys for an hour, hour manifest keys for a quarter or a day) that no
// earlier generation of the same period covers, so an upload that arrives late is merged
// exactly once. Quarters and days are both built from hour rollups, independently.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"

namespace pgopipe::store {

enum class RollupLevel { Hour, Quarter, Day };

// "hour", "quarter" or "day".
std::string_view to_string(RollupLevel level);

// The length of a rollup's period.
Duration period_of(RollupLevel level);

// One merged profile of a rollup. Its meta.collected_at is the midpoint of the inputs' time
// span (time decay weighs it there) and meta.duration the duration the profile itself records.
struct RollupPart {
  std::string key;
  ProfileMeta meta;
  uint64_t profiles = 0;  // raw profiles merged into it
  TimePoint first_collected{}, last_collected{};
};

struct RollupManifest {
  RollupLevel level = RollupLevel::Hour;
  std::string app;
  TimePoint start{};  // the hour, quarter or day (UTC) it covers
  int generation = 1;
  std::vector<std::string> inputs;  // sorted keys this generation covers
  std::string inputs_sha256;        // sha256 of the sorted inputs, one per line
  std::vector<RollupPart> parts;
  std::vector<StoredObject> kept;      // raw objects carried unmerged (perf data, unknown kinds)
  std::vector<DamagedObject> skipped;  // inputs that could not be merged, with the reason
  TimePoint created{};
};

// "<app>/rollup/<level>/YYYY/MM/DD/[HH/]" for the period starting at `start`.
std::string rollup_prefix(std::string_view app, RollupLevel level, TimePoint start);

// "<app>/rollup/<level>/YYYY/MM/DD/": every rollup of `level` in one day (one listing).
std::string rollups_of_day(std::string_view app, RollupLevel level, TimePoint day);

// rollups_of_day(app, RollupLevel::Hour, day).
std::string hour_rollups_of_day(std::string_view app, TimePoint day);

// The manifest key of a generation.
std::string manifest_key(std::string_view app, RollupLevel level, TimePoint start, int generation);

// The generation a listed key is the manifest of, if it is one (name "gNNNN.json").
std::optional<int> manifest_generation(std::string_view key);

// The hour of an hour manifest key of `app`; nullopt for other keys.
std::optional<TimePoint> manifest_hour(std::string_view app, std::string_view key);

// The level and period start of any manifest key of `app`; nullopt for other keys.
std::optional<std::pair<RollupLevel, TimePoint>> manifest_period(std::string_view app, std::string_view key);

// The group a profile belongs to: a digest of its kind, build ID and labels.
std::string group_of(const ProfileMeta& meta);

// sha256 of the keys, sorted, one per line.
std::string inputs_digest(std::vector<std::string> keys);

// The key of one part of a generation.
std::string part_key(const RollupManifest& manifest, std::string_view group, std::string_view digest,
                     ProfileFormat format);

// The keys that `manifests` cover together (the union of their inputs).
std::set<std::string> covered_inputs(const std::vector<RollupManifest>& manifests);

// Serialises a manifest (JSON text).
std::string manifest_to_text(const RollupManifest& manifest);

// Parses a manifest read from `key`; every key it names must lie under its own prefix (a
// manifest cannot point a query anywhere else) and every metadata field must be valid.
// Anything else is an Integrity error naming the key.
Result<RollupManifest> manifest_from_text(std::string_view key, std::string_view text);

}  // namespace pgopipe::store
