// SPDX-License-Identifier: Apache-2.0
// Retention with rollups: raw objects and rollups expire on their own cutoffs, like raw and
// downsampled data in a time-series store.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/store/store.hpp"

namespace pgopipe::store {

// Splits raw objects due for deletion into those a rollup covers and those of hours not
// compacted yet, which stay. An app without any rollup keeps nothing back (it is not compacted).
struct RawGcPlan {
  std::vector<StoredObject> remove;
  std::vector<StoredObject> uncompacted;
};
Result<RawGcPlan> plan_raw_gc(Store& store, const std::string& app, std::vector<StoredObject> objects);

// Removes (or, with dry_run, only lists) every rollup of `app` whose hour or day ended by
// `cutoff`: the manifest first (the rollup stops being read at once), then its parts.
// Returns the manifest keys.
Result<std::vector<std::string>> gc_rollups_older_than(Store& store, const std::string& app, TimePoint cutoff,
                                                       bool dry_run);

}  // namespace pgopipe::store
