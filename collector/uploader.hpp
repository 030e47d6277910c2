// SPDX-License-Identifier: Apache-2.0
// Delivery of collected profiles: straight to the store while it answers, into a bounded
// spool while it does not, and from the spool (oldest first, without duplicates) once it
// answers again. Shared by the in-process collector and the HTTP scraper.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "collector/spool.hpp"
#include "core/store/store.hpp"

namespace pgopipe::collector {

class Uploader {
 public:
  // Receives one log line: level ("info", "warning", "error") and message.
  using LogFn = std::function<void(std::string_view level, const std::string& message)>;

  Uploader(std::string store_url, store::StoreOptions options, std::filesystem::path spool_dir,
           uint64_t spool_max_bytes, LogFn log);

  // Opens the store if it is not open; later calls retry after a failure.
  Result<store::Store*> open();

  // Delivers profile number `seq` of this process: completes `meta` (sha256, size, checks),
  // drains the spool, then uploads, else spools it under "<collected_at>-<pid>-<seq>" (names
  // sort by collection time). Returns the store key, or an empty string when the profile was
  // spooled or, logged as LOST, dropped; an error when the metadata is invalid.
  Result<std::string> deliver(ProfileMeta meta, std::string_view bytes, uint64_t seq);

  // Uploads spooled profiles oldest first until the store fails again; a profile already in
  // the store (an upload whose answer was lost) is not uploaded twice. Entries written by the
  // in-process collector get their sha256 here. Returns the number of entries still waiting.
  uint64_t drain();

  [[nodiscard]] const std::string& store_url() const { return url_; }

 private:
  Result<std::string> put(const ProfileMeta& meta, std::string_view bytes);
  bool already_stored(const ProfileMeta& meta);

  std::string url_;
  store::StoreOptions options_;
  std::unique_ptr<store::Store> store_;
  Spool spool_;
  LogFn log_;
};

}  // namespace pgopipe::collector
