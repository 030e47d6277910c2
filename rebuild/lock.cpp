// SPDX-License-Identifier: Apache-2.0
#include "rebuild/lock.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <thread>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

struct Holder {
  std::string host, pid, started, token;
  TimePoint expires;
};

std::optional<Holder> parse_holder(const std::string& body) {
  try {
    auto j = nlohmann::json::parse(body);
    Holder h{j.value("host", ""), std::to_string(j.value("pid", 0)), j.value("started", ""),
             j.value("token", ""), TimePoint{}};
    auto expires = parse_time(j.value("expires", ""), now());
    if (!expires) return std::nullopt;
    h.expires = *expires;
    return h;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string lock_key(std::string_view app) { return fmt::format("{}/published/rebuild.lock", app); }

StoreLock::StoreLock(StoreLock&& other) noexcept
    : store_(other.store_), key_(std::move(other.key_)), token_(std::move(other.token_)),
      held_(other.held_) {
  other.held_ = false;
}

StoreLock::~StoreLock() {
  if (!held_) return;
  auto r = release();
  if (!r) spdlog::warn("could not release the lock {}: {}", key_, r.error().message);
}

Result<void> StoreLock::release() {
  if (!held_) return success();
  held_ = false;
  auto body = store_->get_raw(key_);
  if (!body) {
    if (body.error().code == ErrorCode::NotFound) return success();
    return body.error();
  }
  auto holder = parse_holder(*body);
  if (!holder || holder->token != token_) {
    spdlog::warn("the lock {} was taken over by another run meanwhile; leaving it", key_);
    return success();
  }
  return store_->remove_raw(key_);
}

Result<StoreLock> acquire_lock(Store& store, const LockRequest& req, bool* busy) {
  *busy = false;
  const TimePoint deadline = now() + req.wait.value_or(Duration{0});
  const std::string token = random_hex(16);
  int vanished = 0;  // times the lock was gone when read back after a failed create
  while (true) {
    TimePoint started = now();
    nlohmann::json body{{"host", host_name()},
                        {"pid", static_cast<int>(::getpid())},
                        {"started", format_rfc3339(started)},
                        {"expires", format_rfc3339(started + req.ttl)},
                        {"token", token}};
    auto put = store.put_raw(req.key, body.dump(2) + "\n", /*exclusive=*/true);
    if (put) return StoreLock(store, req.key, token);
    // Tell "someone holds it" from a failing store by reading the lock back.
    auto existing = store.get_raw(req.key);
    if (!existing) {
      // Released meanwhile: retry; but a create that keeps failing with no lock is the store's fault.
      if (existing.error().code == ErrorCode::NotFound && ++vanished < 3) continue;
      return put.error().context(fmt::format("taking the lock {}", req.key));
    }
    auto holder = parse_holder(*existing);
    if (!holder || holder->expires <= now()) {
      spdlog::warn("breaking the expired lock {} (held by {} pid {} since {})", req.key,
                   holder ? holder->host : "?", holder ? holder->pid : "?",
                   holder ? holder->started : "?");
      // Remove only the lock we read (re-read just before), then race for it again.
      auto again = store.get_raw(req.key);
      if (again && *again == *existing) PGO_TRY(store.remove_raw(req.key));
      continue;
    }
    if (now() >= deadline) {
      *busy = true;
      return make_error(ErrorCode::Store,
                        "busy: another rebuild holds {} (host {}, pid {}, since {}, expires {})",
                        req.key, holder->host, holder->pid, holder->started,
                        format_rfc3339(holder->expires));
    }
    spdlog::info("waiting for the lock {} (held by {} pid {})", req.key, holder->host, holder->pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::min<int64_t>(1000, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now()).count() + 1)));
  }
}

}  // namespace pgopipe
