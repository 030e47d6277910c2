// SPDX-License-Identifier: Apache-2.0
// Merging a window of the store, the one use case `pgopipe merge --since` and `pgopipe
// rebuild` share: list the window, make the merge sources, merge, and keep the provenance
// (store, app, window, time span, inputs merged/skipped) beside the output.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/store/store.hpp"
#include "merger/driver.hpp"
#include "merger/provenance.hpp"

namespace pgopipe::merge {

// Lists `query` in `store` (rollups where they cover the window, see store::list_profiles); an empty window is a NotFound error naming app, window and store.
// Damaged objects are skipped (and logged by the store); they are appended to `damaged` if given.
Result<std::vector<store::StoredObject>> list_window(store::Store& store, const store::Query& query,
                                              std::vector<store::DamagedObject>* damaged = nullptr);

struct MergedWindow {
  MergeReport report;
  Provenance provenance;  // as written beside the output
};

// Merges `request` (sources already set) into request.output and writes `provenance`, its
// counts and time span filled from the merge, beside it; an earlier provenance file at that
// path is removed first, so a failed merge leaves none.
Result<MergedWindow> merge_with_provenance(const MergeRequest& request, Provenance provenance,
                                           const WarnFn& warn);

// Merges the listed `objects` of the window `query` of `store`: sources from the store,
// weights decayed to the window's end, provenance naming store, app and window. `weighting`
// describes the weights for the provenance.
Result<MergedWindow> merge_store_window(store::Store& store, const store::Query& query,
                                        const std::vector<store::StoredObject>& objects, MergeRequest request,
                                        const std::string& weighting, const WarnFn& warn);

}  // namespace pgopipe::merge
