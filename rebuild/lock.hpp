// SPDX-License-Identifier: Apache-2.0
// The per-app rebuild lock, a lease in the store decided by exclusive creates only.
//
// Each holding is a generation object "<app>/published/lock/<12-digit generation>" holding
// host, pid, start, expiry, state ("held" / "released") and the holder's random token. The
// lock belongs to the holder of the HIGHEST generation while it is "held" and unexpired.
// Taking it means creating generation top+1 exclusively (link() locally, If-None-Match: *
// on S3): when several runs find the top generation released or expired, exactly one create
// succeeds, and nothing is ever deleted or overwritten to take a lock, so no compare-and-
// delete is needed. A winner reads its object back and checks that no higher generation
// exists before it counts as holder. Generation numbers never go down (release overwrites
// the holder's own object with "released"), so a slow taker cannot reuse one.
//
// The holder renews its expiry from a background thread; check() (the fence) confirms that
// the run still holds the lock with at least a third of the ttl left, and publishing calls
// it before every upload and before the manifest.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"

namespace pgopipe::rebuild {

// "<app>/published/lock/": where the generation objects of an app's lock live.
std::string lock_prefix(std::string_view app);

// Who holds (or last held) a lock, as read from the store.
struct LockHolder {
  uint64_t generation = 0;
  std::string host, pid, started, state, token;
  TimePoint expires;
  [[nodiscard]] bool live(TimePoint at) const { return state == "held" && expires > at; }
};

// The top generation of the lock under `prefix`; nullopt if there is none.
Result<std::optional<LockHolder>> read_lock(store::Store& store, std::string_view prefix);

struct LockRequest {
  std::string prefix;  // lock_prefix(app)
  Duration ttl = std::chrono::hours{2};
  std::optional<Duration> wait;  // unset: fail at once when busy
  // How often the holder renews its expiry; unset: a third of the ttl.
  std::optional<Duration> renew_every;
};

class StoreLock {
 public:
  StoreLock(store::Store& store, const LockRequest& request, LockHolder held);
  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  ~StoreLock();  // stops renewing and releases the lock if release() was not called

  // The fence: OK while this run holds the lock with at least ttl/3 left; otherwise a Busy
  // error starting "lost the lock:" naming the cause (taken over, expired, released); a store
  // failure while checking is a Store error.
  Result<void> check();

  // True once the renewer found the lock taken over; the run should stop.
  [[nodiscard]] bool lost() const { return state_ && state_->lost.load(); }

  // The generation this run holds (its fencing token with the token below).
  [[nodiscard]] uint64_t generation() const { return state_ ? state_->held.generation : 0; }

  // Marks the lock released if it is still ours; safe to call twice.
  Result<void> release();

 private:
  struct State {
    store::Store* store;
    LockRequest request;
    LockHolder held;
    std::mutex mu;  // guards held.expires and writes of the holder's object
    std::condition_variable wake;
    bool stopping = false;
    std::atomic<bool> lost{false};
    std::thread renewer;
  };
  void stop_renewer();
  static void renew_loop(State& s);

  std::unique_ptr<State> state_;
  bool held_ = true;
};

// Takes the lock. A held, unexpired lock is a Busy error whose message starts with "busy:"
// and names the holder; store failures are Store errors.
Result<StoreLock> acquire_lock(store::Store& store, const LockRequest& request);

// Breaks the lock by hand (`pgopipe rebuild --unlock`): writes a released generation above
// the top one; returns the holder it replaced (nullopt if there was no live holder).
Result<std::optional<LockHolder>> break_lock(store::Store& store, std::string_view prefix);

}  // namespace pgopipe::rebuild
