// SPDX-License-Identifier: Apache-2.0
// The per-app rebuild lock: an object created exclusively in the store (put_raw with
// exclusive=true: link() locally, If-None-Match: * on S3) holding who took it and until when.
// A lock past its expiry is broken with a warning, so a crashed run blocks the app only for
// the lock's ttl.
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"

namespace pgopipe {

// "<app>/published/rebuild.lock".
std::string lock_key(std::string_view app);

class StoreLock {
 public:
  StoreLock(Store& store, std::string key, std::string token)
      : store_(&store), key_(std::move(key)), token_(std::move(token)) {}
  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  ~StoreLock();  // releases the lock if release() was not called

  // Removes the lock if it is still ours; safe to call twice.
  Result<void> release();

 private:
  Store* store_;
  std::string key_;
  std::string token_;
  bool held_ = true;
};

struct LockRequest {
  std::string key;
  Duration ttl = std::chrono::hours{2};
  std::optional<Duration> wait;  // unset: fail at once when busy
};

// Takes the lock. A held, unexpired lock is a NotFound-free Store error whose message starts
// with "busy:" and names the holder; *busy is set so callers can give it its own exit code.
Result<StoreLock> acquire_lock(Store& store, const LockRequest& request, bool* busy);

}  // namespace pgopipe
