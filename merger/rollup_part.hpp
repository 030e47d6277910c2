// SPDX-License-Identifier: Apache-2.0
// Merging one group of a rollup period (same kind, build ID and labels) into one part.
#pragma once

#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "core/store/rollup.hpp"
#include "core/store/store.hpp"
#include "merger/engine.hpp"

namespace pgopipe::merge {

// An input of a rollup: a raw object (hour) or an hour part (day), with the span of
// collection times it covers.
struct RollupInput {
  store::StoredObject object;
  TimePoint first_collected{}, last_collected{};
};

struct PartResult {
  std::optional<store::RollupPart> part;   // unset when no input could be merged
  std::vector<store::DamagedObject> skipped;  // inputs that could not be merged, with the reason
};

// Merges `inputs` (one group) without weights or normalisation, so the part holds exactly the
// sum a raw merge of them would, and stores it under its key in `manifest`'s period. Inputs
// that cannot be merged are returned as skipped, never fatal; store errors are.
Result<PartResult> write_rollup_part(store::Store& store, const store::RollupManifest& manifest,
                                     const std::vector<RollupInput>& inputs, const InputLimits& limits,
                                     int jobs);

}  // namespace pgopipe::merge
