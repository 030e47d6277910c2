// SPDX-License-Identifier: Apache-2.0
#include "merger/window.hpp"

#include "core/store/rollup_listing.hpp"

namespace pgopipe::merge {

Result<std::vector<store::StoredObject>> list_window(store::Store& store, const store::Query& query,
                                              std::vector<store::DamagedObject>* damaged) {
  PGO_TRY_ASSIGN(auto objects, store::list_profiles(store, query, damaged));
  if (objects.empty()) {
    return make_error(ErrorCode::NotFound, "no profiles of {} in [{}, {}) in {}", query.app,
                      format_rfc3339(query.window.since), format_rfc3339(query.window.until),
                      store.describe());
  }
  return objects;
}

Result<MergedWindow> merge_with_provenance(const MergeRequest& request, Provenance provenance,
                                           const WarnFn& warn) {
  remove_provenance(request.output);
  PGO_TRY_ASSIGN(MergeReport report, run_merge(request, warn));
  provenance.merged = report.merged;
  provenance.skipped = report.skipped.size();
  provenance.first_collected = report.first_collected;
  provenance.last_collected = report.last_collected;
  PGO_TRY(write_provenance(request.output, provenance));
  return MergedWindow{std::move(report), std::move(provenance)};
}

Result<MergedWindow> merge_store_window(store::Store& store, const store::Query& query,
                                        const std::vector<store::StoredObject>& objects, MergeRequest request,
                                        const std::string& weighting, const WarnFn& warn) {
  request.sources = store_sources(store, objects);
  request.weights.window_end = query.window.until;
  Provenance provenance{store.describe(), query.app, query.window, std::nullopt, std::nullopt, 0, 0, weighting};
  return merge_with_provenance(request, std::move(provenance), warn);
}

}  // namespace pgopipe::merge
