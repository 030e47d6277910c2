// SPDX-License-Identifier: Apache-2.0
// Window queries over raw objects and rollups: what `ls`, `pull`, `merge --since` and
// `pgopipe rebuild` read. Whole days inside the window come from day rollups, whole hours from
// hour rollups, and the rest (the window's edges, hours not compacted yet) from raw objects.
#pragma once

#include <vector>

#include "core/result.hpp"
#include "core/store/rollup.hpp"
#include "core/store/store.hpp"

namespace pgopipe::store {

// The objects that answer `q`: rollup parts (StoredObject::profiles > 1 where they merge
// several) and raw objects, ordered by collection time, then key. With q.raw_only, exactly
// store.list(q). A damaged manifest is skipped with a warning and its period read raw.
Result<std::vector<StoredObject>> list_profiles(Store& store, const Query& q,
                                                std::vector<DamagedObject>* damaged = nullptr);

// The manifests of one rollup period, oldest generation first; damaged ones are noted and
// left out.
Result<std::vector<RollupManifest>> read_manifests(Store& store, std::string_view app, RollupLevel level,
                                                   TimePoint start, std::vector<DamagedObject>* damaged);

// Reads the manifests among `keys` (other keys are ignored), in key order; damaged ones are
// noted and left out.
Result<std::vector<RollupManifest>> read_manifest_keys(Store& store, const std::vector<std::string>& keys,
                                                       std::vector<DamagedObject>* damaged);

}  // namespace pgopipe::store
