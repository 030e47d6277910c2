// SPDX-License-Identifier: Apache-2.0
#include "merger/rollup_part.hpp"

#include <algorithm>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "merger/driver.hpp"

namespace pgopipe::merge {
namespace {

// What the merged profile itself records as its duration: pprof's duration_nanos (what the
// pprof engine normalises by), else the inputs' durations summed.
Result<Duration> part_duration(const std::string& key, std::string_view bytes, ProfileFormat format,
                               const std::vector<const RollupInput*>& merged, const InputLimits& limits) {
  if (family_of(format) == ProfileFamily::Pprof) {
    pprof::ReadOptions options;
    options.limits = limits;
    options.validate = false;
    PGO_TRY_ASSIGN(pprof::Profile profile, pprof::parse(key, bytes, options));
    return Duration{profile.duration_nanos()};
  }
  Duration sum{0};
  for (const auto* in : merged) sum += in->object.meta.duration;
  return sum;
}

}  // namespace

Result<PartResult> write_rollup_part(store::Store& store, const store::RollupManifest& manifest,
                                     const std::vector<RollupInput>& inputs, const InputLimits& limits,
                                     int jobs) {
  PartResult result;
  std::vector<store::StoredObject> objects;
  for (const auto& in : inputs) objects.push_back(in.object);
  ScratchDir scratch("pgopipe-compact");
  MergeRequest req;
  req.sources = store_sources(store, objects);
  req.options.limits = limits;
  req.failure_mode = FailureMode::Warn;
  req.jobs = jobs;
  req.output = scratch.path() / "part";
  auto report = run_merge(req, [](const std::string&, const std::string&) {});
  if (!report) {
    if (report.error().code == ErrorCode::Store || report.error().code == ErrorCode::Io) return report.error();
    for (const auto& o : objects) result.skipped.push_back({o.key, report.error().message});
    return result;
  }
  std::map<std::string, std::string> skipped(report->skipped.begin(), report->skipped.end());
  std::vector<const RollupInput*> merged;
  for (const auto& in : inputs) {
    auto it = skipped.find(in.object.key);
    if (it != skipped.end()) {
      result.skipped.push_back({in.object.key, it->second});
    } else {
      merged.push_back(&in);
    }
  }
  PGO_TRY_ASSIGN(std::string bytes, read_file(req.output));
  store::RollupPart part;
  part.meta = merged.front()->object.meta;
  part.meta.format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  part.meta.host = "rollup";
  part.meta.sha256.clear();
  part.first_collected = merged.front()->first_collected;
  part.last_collected = merged.front()->last_collected;
  std::vector<std::string> keys;
  for (const auto* in : merged) {
    part.profiles += in->object.profiles;
    part.first_collected = std::min(part.first_collected, in->first_collected);
    part.last_collected = std::max(part.last_collected, in->last_collected);
    keys.push_back(in->object.key);
  }
  part.meta.collected_at = part.first_collected + (part.last_collected - part.first_collected) / 2;
  part.key = store::part_key(manifest, store::group_of(part.meta), store::inputs_digest(keys), part.meta.format);
  PGO_TRY_ASSIGN(part.meta.duration, part_duration(part.key, bytes, part.meta.format, merged, limits));
  PGO_TRY(store.put_at(part.key, part.meta, bytes));
  PGO_TRY(store::complete_meta(part.meta, bytes));
  result.part = std::move(part);
  return result;
}

}  // namespace pgopipe::merge
