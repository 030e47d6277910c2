// SPDX-License-Identifier: Apache-2.0
// Bulk operations over any Store: push files, pull a window into a directory, garbage-collect.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace pgopipe::store {

struct PushItem {
  std::filesystem::path file;
  ProfileMeta meta;  // app, collected_at, build_id, host, labels; format/sha256 are filled in
};

struct PushResult {
  std::filesystem::path file;
  std::string key;
  ProfileMeta meta;
};

// Uploads every file (in parallel); the first failure stops the rest and is returned.
Result<std::vector<PushResult>> push_files(Store& store, const std::vector<PushItem>& items,
                                           int concurrency);

// Called after each object of a pull completes: (done, total, bytes so far).
using ProgressFn = std::function<void(size_t, size_t, uint64_t)>;

struct PullResult {
  std::vector<std::filesystem::path> files;  // written files, in listing order
  uint64_t bytes = 0;
  std::vector<std::string> vanished;  // listed, then removed (e.g. by gc) before the download
  std::vector<DamagedObject> damaged;  // skipped by the listing (malformed metadata, bad keys)
};

// Downloads the objects listed for `q` (list_profiles: rollups where they cover the window) into `dir` (created if needed), in parallel. Each file
// appears (atomically) only once complete and verified; a failed pull leaves no partial file.
// An object removed between the listing and its download is skipped and named in `vanished`
// (not an error: it is gone, not corrupt). File names are the keys with '/' replaced by '_'.
Result<PullResult> pull_window(Store& store, const Query& q, const std::filesystem::path& dir,
                               int concurrency, const ProgressFn& progress = {});

// Lists every raw object of `app` collected before `cutoff` (what gc may delete). Damaged
// objects are left out; they are appended to `damaged` if given.
Result<std::vector<StoredObject>> list_older_than(Store& store, const std::string& app, TimePoint cutoff,
                                                  std::vector<DamagedObject>* damaged = nullptr);

// Removes the objects, in parallel; the first failure stops the rest and is returned.
Result<void> remove_objects(Store& store, const std::vector<StoredObject>& objects, int concurrency);

// A progress callback that draws a one-line bar on stderr when it is a terminal, else nothing.
ProgressFn terminal_progress(std::string label);

}  // namespace pgopipe::store
