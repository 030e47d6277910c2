// SPDX-License-Identifier: Apache-2.0
// The stages of a rebuild before the benchmark: fetch the window, turn it into one compiler
// profile (merge, or convert CPU samples), compare it with the published one, build both
// variants. Each is one function; rebuild/pipeline.cpp runs them in order and times them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/store/store.hpp"
#include "merger/engine.hpp"
#include "merger/provenance.hpp"
#include "rebuild/publish.hpp"
#include "rebuild/rebuild_config.hpp"

namespace pgopipe::rebuild {

struct FetchedWindow {
  store::Query query;
  std::vector<store::StoredObject> objects;  // of one family only (see fetch_window)
  ProfileFamily family = ProfileFamily::Unknown;
  uint64_t bytes = 0;
  std::vector<store::DamagedObject> damaged;  // skipped by the listing (see Store::list)
};

// Lists the configured window; keeps instrumented profiles when there are any (unless
// window.kind says otherwise), else LLVM sample, else pprof, else perf objects; Go builds
// (build.kind go) take pprof only. No profile
// in the window is a NotFound error naming app, window and store (merger/window.hpp).
Result<FetchedWindow> fetch_window(store::Store& store, const RebuildConfig& config, TimePoint reference);

struct CompilerProfile {
  std::filesystem::path path;   // inside the work dir
  ProfileFamily kind = ProfileFamily::Unknown;  // Instr or Sample
  ProfileFormat format = ProfileFormat::Unknown;
  size_t merged = 0, skipped = 0;
  std::string sha256;
  merge::Provenance provenance;  // what it was made of; written beside the profile the builds use
};

// Merges an instr/sample window, or a pprof one for Go builds (checked to be a CPU profile),
// with the merge driver (half-life weights, failure mode warn).
Result<CompilerProfile> merge_window(store::Store& store, const RebuildConfig& config,
                                     const FetchedWindow& window, const std::filesystem::path& work);

// Converts a pprof (merged first) or perf window into an LLVM sample profile, binaries found
// by build ID in window.binary_dir; with `source_diff` (a file; empty: none) as convert
// --source-diff does.
Result<CompilerProfile> convert_window(store::Store& store, const RebuildConfig& config,
                                       const FetchedWindow& window, const std::string& source_diff,
                                       const std::filesystem::path& work);

struct Comparison {
  std::optional<PublishedManifest> previous;
  std::optional<double> overlap;  // unset when nothing is published or the kinds differ
  bool same_bytes = false;
  bool unchanged = false;
};

// Compares `profile` with the published one (fetched into `work`).
Result<Comparison> compare_with_published(store::Store& store, const RebuildConfig& config,
                                          const CompilerProfile& profile,
                                          const std::filesystem::path& work);

struct BuiltVariant {
  std::string name;             // baseline or pgo
  std::filesystem::path dir;    // cmake: the build directory
  std::string image;            // docker: the image tag
  std::filesystem::path binary; // go: the built program
};

// Builds one variant without PGO (profile empty) or with the profile: cmake into
// config.build_dir/<variant> (-DPGO=off or the profile), docker as <image>:<variant>, go as
// config.build_dir/<variant>/<app> (go build -pgo=off or -pgo=<profile>).
Result<BuiltVariant> build_variant(const RebuildConfig& config, const std::string& variant,
                                   const std::filesystem::path& profile);

// The summary of a compiler profile file with its `top` hottest functions (what `pgopipe show`
// lists); Input error naming the file if it cannot be read as a profile.
Result<merge::ProfileSummary> profile_top(const std::filesystem::path& profile, size_t top);

// Functions with out-of-date profile data in a PGO build, from the records enable_pgo()'s
// stale-profile report leaves in <build>/pgo/targets/<target>/*.txt.
uint64_t count_stale_functions(const std::filesystem::path& build_dir);

}  // namespace pgopipe::rebuild
