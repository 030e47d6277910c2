// SPDX-License-Identifier: Apache-2.0
// What a merged profile was made of, kept beside it as "<profile>.pgopipe.json" so that
// `pgopipe show` can tell the store, window and time span a merge covered.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::merge {

struct Provenance {
  std::string store;  // store URL, empty for file inputs
  std::string app;
  std::optional<Window> window;
  std::optional<TimePoint> first_collected, last_collected;
  size_t merged = 0;
  size_t skipped = 0;
  std::string weighting;  // e.g. "half-life 6h, normalize duration"
};

// Path of the provenance file of a profile.
std::filesystem::path provenance_path(const std::filesystem::path& profile);

// Writes (atomically) the provenance of `profile`.
Result<void> write_provenance(const std::filesystem::path& profile, const Provenance& p);

// Removes a provenance file left from an earlier merge to the same path.
void remove_provenance(const std::filesystem::path& profile);

// Reads the provenance of `profile`, if there is a valid one.
std::optional<Provenance> read_provenance(const std::filesystem::path& profile);

}  // namespace pgopipe::merge
