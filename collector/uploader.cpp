// SPDX-License-Identifier: Apache-2.0
#include "collector/uploader.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace pgopipe::collector {

Uploader::Uploader(std::string store_url, store::StoreOptions options, std::filesystem::path spool_dir,
                   uint64_t spool_max_bytes, LogFn log)
    : url_(std::move(store_url)),
      options_(std::move(options)),
      spool_(std::move(spool_dir), spool_max_bytes),
      log_(std::move(log)) {}

Result<store::Store*> Uploader::open() {
  if (!store_) {
    PGO_TRY_ASSIGN(store_, store::open_store(url_, options_));
  }
  return store_.get();
}

Result<std::string> Uploader::put(const ProfileMeta& meta, std::string_view bytes) {
  PGO_TRY_ASSIGN(store::Store * store, open());
  auto key = store->put(meta, bytes);
  if (!key) store_.reset();  // reopen next time (a local store may need its root again)
  return key;
}

Result<std::string> Uploader::deliver(ProfileMeta meta, std::string_view bytes, uint64_t seq) {
  PGO_TRY(store::complete_meta(meta, bytes));
  std::string name = fmt::format("{}-{}-{:08}", format_compact(meta.collected_at), ::getpid(), seq);
  drain();
  auto spooled = spool_.entries();
  if (spooled && spooled->empty()) {  // nothing older waits: upload directly
    auto key = put(meta, bytes);
    if (key) return std::move(*key);
    log_("warning", fmt::format("store {} unreachable, spooling the profile of {}: {}", url_,
                                format_rfc3339(meta.collected_at), key.error().message));
  }
  auto added = spool_.add(name, meta, bytes);
  if (!added) {
    log_("error", fmt::format("profile of {} LOST: cannot spool it: {}",
                              format_rfc3339(meta.collected_at), added.error().message));
  } else if (*added > 0) {
    log_("warning", fmt::format("spool {} full: dropped {} oldest profile(s) ({} dropped so far)",
                                spool_.dir().string(), *added, spool_.dropped()));
  }
  return std::string{};
}

uint64_t Uploader::drain() {
  auto list = spool_.entries();
  if (!list) return 1;
  if (list->empty()) return 0;
  int lock_fd = ::open((spool_.dir() / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (lock_fd >= 0) ::close(lock_fd);
    return list->size();  // another process drains this spool right now
  }
  uint64_t done = 0, handled = 0;
  for (const auto& e : *list) {
    auto entry = spool_.read(e);
    if (!entry) {
      log_("error", fmt::format("spooled profile {} unreadable, removing it: {}", e.name,
                                entry.error().message));
      (void)spool_.remove(e);
      ++handled;
      continue;
    }
    auto& [meta, bytes] = *entry;
    auto complete = meta.size == bytes.size() || meta.size == 0
                        ? store::complete_meta(meta, bytes)
                        : Result<void>(make_error(ErrorCode::Integrity, "{} bytes, {} expected",
                                                  bytes.size(), meta.size));
    if (!complete) {
      log_("error", fmt::format("spooled profile {} is damaged, removing it: {}", e.name,
                                complete.error().message));
      (void)spool_.remove(e);
      ++handled;
      continue;
    }
    if (!already_stored(meta)) {
      if (auto key = put(meta, bytes); !key) {
        log_("warning", fmt::format("store {} unreachable, {} spooled profile(s) wait: {}", url_,
                                    list->size() - handled, key.error().message));
        break;
      }
      ++done;
    }
    if (auto removed = spool_.remove(e); !removed) {
      log_("error", removed.error().message);
      break;
    }
    ++handled;
  }
  ::close(lock_fd);
  if (done > 0) log_("info", fmt::format("uploaded {} spooled profile(s) to {}", done, url_));
  return list->size() - handled;
}

bool Uploader::already_stored(const ProfileMeta& meta) {
  auto store = open();
  if (!store) return false;
  store::Query q;
  q.app = meta.app;
  q.window = {meta.collected_at, meta.collected_at + Duration{1}};
  q.labels = meta.labels;
  auto found = (*store)->list(q);
  if (!found) return false;
  for (const auto& o : *found) {
    if (o.meta.sha256 == meta.sha256) return true;
  }
  return false;
}

}  // namespace pgopipe::collector
