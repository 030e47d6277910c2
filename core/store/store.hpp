// SPDX-License-Identifier: Apache-2.0
// The profile store: objects (profile bytes + ProfileMeta) keyed by app and collection time.
// Backends register by URL scheme in registry.cpp: a local directory (file://, the default)
// and S3-compatible services (s3://).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::store {

// A stored object as listed: its key (relative to the store root) and metadata.
struct StoredObject {
  std::string key;
  ProfileMeta meta;
  // Raw profiles this object stands for: 1, or a rollup's count (see rollup.hpp).
  uint64_t profiles = 1;
};

// A listed object that cannot be used: malformed metadata (sidecar or headers), or a key the
// server listed outside the requested prefix or against the key rules. Listings skip it
// with a warning naming the key, so one bad object never hides the rest of a window.
struct DamagedObject {
  std::string key;
  std::string problem;
};

// A fetched object: metadata plus bytes already verified against meta.sha256.
struct Blob {
  ProfileMeta meta;
  std::string bytes;
};

// What to list: one app, a [since, until) window of collection times, optional filters.
struct Query {
  std::string app;
  Window window;
  std::optional<ProfileFamily> family;  // "kind"
  std::string build_id;                 // empty: any
  Labels labels;                        // every pair must match exactly
  bool raw_only = false;                // window queries (list_profiles): ignore rollups
  bool day_rollups = true;              // list_profiles: day and quarter rollups too; false: hours only (time decay)
};

// True when `meta` satisfies every filter of `q` (app, window, kind, build id, labels).
bool matches(const Query& q, const ProfileMeta& meta);

struct S3Options {
  std::string endpoint;             // e.g. http://127.0.0.1:9000; empty: AWS for the region
  std::string region = "us-east-1";
  std::optional<bool> path_style;   // unset: path style for custom endpoints, virtual-host for AWS
  std::string profile;              // ~/.aws/credentials profile; empty: AWS_PROFILE or "default"
  bool tls_verify = true;           // only an explicit user choice turns this off
  int retries = 4;                  // attempts after the first, with exponential backoff
  std::chrono::milliseconds timeout{30000};          // per request, whole transfer
  std::chrono::milliseconds connect_timeout{5000};
  int list_page_size = 1000;        // ListObjectsV2 max-keys (tests use small pages)
};

// An S3 region name: 1-32 of [a-z0-9-] (it goes into the host name and signature scope).
bool valid_s3_region(std::string_view region);

struct StoreOptions {
  int concurrency = 4;  // parallel transfers for bulk operations
  // Local store: mode of the files it writes (directories get the matching search bits);
  // 0600 keeps profiles from other local users, 0640/0660 share them with the group.
  unsigned file_mode = 0600;
  // Local store: create a missing root directory (push, collectors); false makes a
  // missing root a Store error naming it, so a mistyped --store is not an empty store.
  bool create = true;
  // Local store: called with the root's path when it was created just now.
  std::function<void(const std::filesystem::path&)> on_create;
  S3Options s3;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores `bytes` as a new object under a fresh key derived from `meta` (never overwriting
  // another object); fills sha256/size if empty, rejects a mismatching sha256; returns the key.
  virtual Result<std::string> put(const ProfileMeta& meta, std::string_view bytes) = 0;

  // Stores `bytes` with `meta` at an exact key (rollups, whose keys name what they cover);
  // an existing object at that key is replaced whole. Fills sha256/size like put().
  virtual Result<void> put_at(std::string_view key, const ProfileMeta& meta, std::string_view bytes) = 0;

  // Lists the complete objects matching `q`, ordered by collection time, then key. Damaged
  // objects are skipped with a warning naming each; they are appended to `damaged` if given.
  virtual Result<std::vector<StoredObject>> list(const Query& q, std::vector<DamagedObject>* damaged) = 0;

  // The same without collecting the damaged objects (they are still skipped and logged).
  Result<std::vector<StoredObject>> list(const Query& q) { return list(q, nullptr); }

  // Fetches an object; its bytes are verified against its metadata (Integrity error if not).
  virtual Result<Blob> get(std::string_view key) = 0;

  // Removes an object and its metadata. Removing a key that does not exist succeeds.
  virtual Result<void> remove(std::string_view key) = 0;

  // Writes raw bytes at an exact key (no metadata; for published profiles, reports, locks).
  // With `exclusive`, fails with a NotFound-free Store error if the key already exists.
  virtual Result<void> put_raw(std::string_view key, std::string_view bytes, bool exclusive) = 0;

  // Reads raw bytes at an exact key; NotFound if absent.
  virtual Result<std::string> get_raw(std::string_view key) = 0;

  // Lists the keys under a key prefix (e.g. "<app>/published/"), sorted: every object, raw or
  // not, without reading any metadata.
  virtual Result<std::vector<std::string>> list_raw(std::string_view prefix) = 0;

  // Removes a raw key; removing a missing key succeeds.
  virtual Result<void> remove_raw(std::string_view key) = 0;

  // The store's URL for messages (never contains credentials).
  [[nodiscard]] virtual std::string describe() const = 0;
};

// For backends: fills sha256/size (and format, if Unknown) from `bytes`, rejects a sha256
// that does not match, and validates every field that ends up in keys or headers.
Result<void> complete_meta(ProfileMeta& meta, std::string_view bytes);

// For backends: logs that the listing skips `key` and why, and records it in `damaged`.
void note_damaged(std::vector<DamagedObject>* damaged, std::string_view key, std::string_view problem);

// Opens a store by URL: "file:///abs/path", a plain path, or "s3://bucket[/prefix]".
Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options);

}  // namespace pgopipe::store
