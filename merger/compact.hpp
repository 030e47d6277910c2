// SPDX-License-Identifier: Apache-2.0
// `pgopipe compact`: merges the raw profiles of each closed hour into hour rollups, and the
// hour rollups of each closed quarter (6 hours) and day into quarter and day rollups (key
// layout: core/store/rollup.hpp). A rerun writes nothing; an upload that lands in an hour
// already compacted is merged into a new generation of that hour (and then of its quarter and
// day), never lost and never counted twice.
#pragma once

#include <string>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "core/store/store.hpp"

namespace pgopipe::merge {

struct CompactRequest {
  std::string app;
  Window window;  // hours, quarters and days that overlap it and have ended by window.until
  InputLimits limits;
  int jobs = 2;
};

struct CompactReport {
  size_t hour_generations = 0;  // manifests written
  size_t quarter_generations = 0;
  size_t day_generations = 0;
  size_t raw_profiles = 0;      // raw objects merged into the new hour rollups
  size_t parts = 0;             // merged profiles written
  size_t skipped = 0;           // inputs that could not be merged (named in a warning)
  size_t up_to_date = 0;        // periods with data and nothing new to compact
  size_t damaged = 0;           // listed objects or manifests skipped as damaged
};

// Compacts `request.app` in `store`. Inputs that cannot be merged are warned about by key and
// recorded in the manifest; store failures stop the run (what is written stays valid: a
// rollup without its manifest is never read, and the next run writes it again).
Result<CompactReport> compact(store::Store& store, const CompactRequest& request);

}  // namespace pgopipe::merge
