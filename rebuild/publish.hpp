// SPDX-License-Identifier: Apache-2.0
// What `pgopipe rebuild` publishes under "<app>/published/" in the store:
//   <app>/published/<compact time>-<sha256 prefix>/profile.<ext>, report.{json,md,html}, ...
//   <app>/published/manifest.json   the "current published" pointer, written LAST
// Readers trust only the manifest, so a publish interrupted before it leaves the previous
// profile current, and a published version is never overwritten in place.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/store/store.hpp"

namespace pgopipe::rebuild {

struct PublishedManifest {
  std::string app;
  std::string profile_key;     // store key of the published profile
  std::string profile_sha256;
  std::string profile_kind;    // "instr", "sample"
  std::string window_since, window_until;  // RFC 3339
  size_t profiles_merged = 0;
  double speedup = 0, speedup_low = 0, speedup_high = 0;
  std::string published_at;    // RFC 3339
  std::vector<std::string> files;  // every key published with the profile (reports, flame graph)
  std::string binary_key, binary_sha256;  // publish.binary: the approved PGO binary in the store
  std::string image;                      // publish.image: where the approved image was pushed
};

// "<app>/published/manifest.json".
std::string manifest_key(std::string_view app);

// "<app>/published/<compact time>-<first 12 hex digits of sha256>" (no trailing '/').
std::string published_dir_key(std::string_view app, TimePoint at, std::string_view sha256);

// The current manifest; nullopt when nothing was published yet. A manifest that is not valid
// JSON is an Integrity error naming its key.
Result<std::optional<PublishedManifest>> read_manifest(store::Store& store, std::string_view app);

// The published profile's bytes, verified against the manifest's sha256 (Integrity error).
Result<std::string> fetch_published_profile(store::Store& store, const PublishedManifest& manifest);

// Uploads the profile as `manifest.profile_key`, each of `files` (local path, key), then
// the manifest. Any failure before the manifest leaves the previous publish current.
// `fence` (the lock's check) runs before every upload: its error stops the publish there.
Result<void> publish(store::Store& store, const PublishedManifest& manifest,
                     const std::filesystem::path& profile,
                     const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                     const std::function<Result<void>()>& fence = {});

}  // namespace pgopipe::rebuild
