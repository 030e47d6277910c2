// SPDX-License-Identifier: Apache-2.0
// A bounded local spool of profiles waiting for an unreachable store. Each entry is a pair of
// atomically written files, "<name>.prof" then "<name>.meta.json" (an entry exists once its
// metadata file does); names sort by collection time, so draining goes oldest first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/metadata.hpp"
#include "core/result.hpp"

namespace pgopipe::collector {

struct SpoolEntry {
  std::string name;  // "<compact time>-<pid>-<seq>"
  uint64_t bytes = 0;
};

class Spool {
 public:
  Spool(std::filesystem::path dir, uint64_t max_bytes) : dir_(std::move(dir)), max_(max_bytes) {}

  // Adds a profile; drops the oldest entries (counting them) until it fits under max_bytes.
  // A profile larger than the whole spool is dropped itself. Returns the number dropped.
  Result<uint64_t> add(const std::string& name, const ProfileMeta& meta, std::string_view bytes);

  // Lists complete entries, oldest first.
  Result<std::vector<SpoolEntry>> entries() const;

  // Reads an entry back.
  Result<std::pair<ProfileMeta, std::string>> read(const SpoolEntry& entry) const;

  // Removes an entry (metadata first, so a crash in between leaves only an orphan payload).
  Result<void> remove(const SpoolEntry& entry);

  // Entries dropped because the spool was full, since this Spool was created.
  [[nodiscard]] uint64_t dropped() const { return dropped_; }

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] uint64_t max_bytes() const { return max_; }

 private:
  // The spool directory must be this user's and writable by nobody else (its parent too).
  Result<void> check_dir() const;

  std::filesystem::path dir_;
  uint64_t max_;
  uint64_t dropped_ = 0;
};

// $XDG_CACHE_HOME/pgopipe/spool/<app>, else ~/.cache/..., else
// <system temp dir>/pgopipe-spool-<uid>/<app> (created 0700; owner and mode checked on use).
std::filesystem::path default_spool_dir(const std::string& app);

}  // namespace pgopipe::collector
