// SPDX-License-Identifier: Apache-2.0
#include "rebuild/lock.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "core/fs.hpp"

namespace pgopipe::rebuild {
namespace {

constexpr size_t kGenerationDigits = 12;
constexpr int kMaxRounds = 50;  // creates lost in a row before giving up (a store gone wrong)
constexpr std::chrono::milliseconds kSettle{300};  // between a create and its read-back

std::string generation_key(std::string_view prefix, uint64_t generation) {
  return fmt::format("{}{:0{}d}", prefix, generation, kGenerationDigits);
}

std::optional<uint64_t> parse_generation(std::string_view prefix, std::string_view key) {
  if (!key.starts_with(prefix)) return std::nullopt;
  std::string_view digits = key.substr(prefix.size());
  if (digits.size() != kGenerationDigits ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoull(std::string(digits));
}

// Generations present under `prefix`, highest first.
Result<std::vector<uint64_t>> list_generations(store::Store& store, std::string_view prefix) {
  PGO_TRY_ASSIGN(std::vector<std::string> keys, store.list_raw(prefix));
  std::vector<uint64_t> out;
  for (const auto& key : keys) {
    if (auto g = parse_generation(prefix, key)) out.push_back(*g);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

// A holder record; unreadable bodies count as expired (a torn or foreign object).
LockHolder parse_holder(uint64_t generation, const std::string& body) {
  LockHolder h;
  h.generation = generation;
  try {
    auto j = nlohmann::json::parse(body);
    h.host = j.value("host", "");
    h.pid = std::to_string(j.value("pid", 0));
    h.started = j.value("started", "");
    h.state = j.value("state", "held");  // records without a state are holdings
    h.token = j.value("token", "");
    auto expires = parse_time(j.value("expires", ""), now());
    if (expires) h.expires = *expires;
  } catch (const nlohmann::json::exception&) {
    h.state = "unreadable";
  }
  return h;
}

std::string holder_body(const LockHolder& h) {
  nlohmann::json body{{"host", h.host},   {"pid", std::stoi(h.pid.empty() ? "0" : h.pid)},
                      {"started", h.started}, {"expires", format_rfc3339(h.expires)},
                      {"state", h.state}, {"generation", h.generation},
                      {"token", h.token}};
  return body.dump(2) + "\n";
}

std::string describe(const LockHolder& h) {
  return fmt::format("host {}, pid {}, since {}", h.host.empty() ? "?" : h.host, h.pid,
                     h.started.empty() ? "?" : h.started);
}

Duration renew_interval(const LockRequest& r) {
  Duration every = r.renew_every.value_or(r.ttl / 3);
  return std::max<Duration>(every, std::chrono::milliseconds{50});
}

// Reads generation `g`; nullopt if it is gone.
Result<std::optional<LockHolder>> read_generation(store::Store& store, std::string_view prefix,
                                                   uint64_t g) {
  auto body = store.get_raw(generation_key(prefix, g));
  if (!body) {
    if (body.error().code == ErrorCode::NotFound) return std::optional<LockHolder>{};
    return body.error();
  }
  return std::optional<LockHolder>(parse_holder(g, *body));
}

// Whether `mine` is the top generation and still carries its token (read from the store).
Result<bool> still_top(store::Store& store, std::string_view prefix, const LockHolder& mine) {
  PGO_TRY_ASSIGN(std::vector<uint64_t> gens, list_generations(store, prefix));
  if (gens.empty() || gens.front() != mine.generation) return false;
  PGO_TRY_ASSIGN(std::optional<LockHolder> now_there,
                 read_generation(store, prefix, mine.generation));
  return now_there && now_there->token == mine.token;
}

// Old generations below `top` go; best effort (a leftover is harmless, the top decides).
void remove_below(store::Store& store, std::string_view prefix, uint64_t top) {
  auto gens = list_generations(store, prefix);
  if (!gens) return;
  for (uint64_t g : *gens) {
    if (g < top) (void)store.remove_raw(generation_key(prefix, g));
  }
}

// One attempt: create generation `g` holding `mine`; true if this run now holds the lock.
Result<bool> try_take(store::Store& store, std::string_view prefix, LockHolder& mine, uint64_t g) {
  mine.generation = g;
  const std::string key = generation_key(prefix, g);
  auto put = store.put_raw(key, holder_body(mine), /*exclusive=*/true);
  // Servers whose conditional create is check-then-write (moto) may let two simultaneous
  // creates through; the later write wins, and reading back after a pause catches it.
  if (put) std::this_thread::sleep_for(kSettle);
  // A failed create is either a lost race or, after a retried PUT whose first try went
  // through, our own object: the token read back tells them apart.
  PGO_TRY_ASSIGN(std::optional<LockHolder> there, read_generation(store, prefix, g));
  if (!there) {
    if (!put) return put.error().context(fmt::format("taking the lock {}", key));
    return false;  // removed by a taker of a higher generation: a lost race
  }
  if (there->token != mine.token) return false;
  if (!put) spdlog::info("lock {}: the create was retried after it had succeeded; it is ours", key);
  // A slow taker may create a generation that cleanup already passed: only the top counts.
  PGO_TRY_ASSIGN(bool top, still_top(store, prefix, mine));
  if (!top) {
    (void)store.remove_raw(key);
    return false;
  }
  remove_below(store, prefix, g);
  return true;
}

}  // namespace

std::string lock_prefix(std::string_view app) { return fmt::format("{}/published/lock/", app); }

Result<std::optional<LockHolder>> read_lock(store::Store& store, std::string_view prefix) {
  PGO_TRY_ASSIGN(std::vector<uint64_t> gens, list_generations(store, prefix));
  for (uint64_t g : gens) {
    PGO_TRY_ASSIGN(std::optional<LockHolder> h, read_generation(store, prefix, g));
    if (h) return h;  // removed between the listing and the read: look one lower
  }
  return std::optional<LockHolder>{};
}

StoreLock::StoreLock(store::Store& store, const LockRequest& request, LockHolder held)
    : state_(std::make_unique<State>()) {
  state_->store = &store;
  state_->request = request;
  state_->held = std::move(held);
  state_->renewer = std::thread([s = state_.get()] { renew_loop(*s); });
}

StoreLock::StoreLock(StoreLock&& other) noexcept
    : state_(std::move(other.state_)), held_(other.held_) {
  other.held_ = false;
}

StoreLock::~StoreLock() {
  if (!state_) return;
  if (held_) {
    auto r = release();
    if (!r) spdlog::warn("could not release the lock: {}", r.error().message);
  }
  stop_renewer();
}

void StoreLock::stop_renewer() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->renewer.joinable()) state_->renewer.join();
}

void StoreLock::renew_loop(State& s) {
  const Duration every = renew_interval(s.request);
  std::unique_lock lock(s.mu);
  while (!s.wake.wait_for(lock, every, [&] { return s.stopping; })) {
    auto top = still_top(*s.store, s.request.prefix, s.held);
    if (top && !*top) {
      s.lost = true;
      spdlog::warn("lost the lock {}: another run took it over; this run will not publish",
                   generation_key(s.request.prefix, s.held.generation));
      return;
    }
    // A store error is retried at the next tick; the fence refuses once the lease runs short.
    LockHolder next = s.held;
    next.expires = now() + s.request.ttl;
    auto put = s.store->put_raw(generation_key(s.request.prefix, next.generation),
                                holder_body(next), /*exclusive=*/false);
    if (put) {
      s.held.expires = next.expires;
    } else {
      spdlog::warn("could not renew the lock: {}", put.error().message);
    }
  }
}

Result<void> StoreLock::check() {
  if (!state_ || !held_) return make_error(ErrorCode::Busy, "lost the lock: it was released");
  State& s = *state_;
  const std::string key = generation_key(s.request.prefix, s.held.generation);
  PGO_TRY_ASSIGN(bool top, still_top(*s.store, s.request.prefix, s.held));
  if (!top) {
    s.lost = true;
    auto other = read_lock(*s.store, s.request.prefix);
    std::string who = other && *other ? describe(**other) : "unknown";
    return make_error(ErrorCode::Busy, "lost the lock: {} was taken over by another run ({})", key,
                      who);
  }
  std::lock_guard lock(s.mu);
  const Duration left = s.held.expires - now();
  if (left < s.request.ttl / 3) {
    return make_error(ErrorCode::Busy, "lost the lock: {} {} (renewals failed)", key,
                      left <= Duration{0} ? "expired" : "is about to expire");
  }
  return success();
}

Result<void> StoreLock::release() {
  if (!state_ || !held_) return success();
  held_ = false;
  State& s = *state_;
  std::lock_guard lock(s.mu);
  s.stopping = true;
  PGO_TRY_ASSIGN(bool top, still_top(*s.store, s.request.prefix, s.held));
  if (!top) {
    spdlog::warn("the lock {} was taken over by another run meanwhile; leaving it",
                 generation_key(s.request.prefix, s.held.generation));
    return success();
  }
  LockHolder released = s.held;
  released.state = "released";
  released.expires = now();
  return s.store->put_raw(generation_key(s.request.prefix, released.generation),
                          holder_body(released), /*exclusive=*/false);
}

Result<StoreLock> acquire_lock(store::Store& store, const LockRequest& req) {
  const TimePoint deadline = now() + req.wait.value_or(Duration{0});
  LockHolder mine;
  mine.host = host_name();
  mine.pid = std::to_string(::getpid());
  mine.state = "held";
  mine.token = random_hex(16);
  for (int round = 0; round < kMaxRounds; ++round) {
    PGO_TRY_ASSIGN(std::optional<LockHolder> top, read_lock(store, req.prefix));
    TimePoint at = now();
    if (top && top->live(at)) {
      if (at >= deadline) {
        return make_error(ErrorCode::Busy, "busy: another rebuild holds {} ({}, expires {})",
                          generation_key(req.prefix, top->generation), describe(*top),
                          format_rfc3339(top->expires));
      }
      spdlog::info("waiting for the lock {} (held by {})", req.prefix, describe(*top));
      auto pause = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - at);
      std::this_thread::sleep_for(std::clamp(pause, std::chrono::milliseconds{1},
                                             std::chrono::milliseconds{1000}));
      --round;  // waiting is not a lost race
      continue;
    }
    if (top && top->state != "released") {
      spdlog::warn("breaking the expired lock {} ({})", generation_key(req.prefix, top->generation),
                   describe(*top));
    }
    mine.started = format_rfc3339(at);
    mine.expires = at + req.ttl;
    PGO_TRY_ASSIGN(bool won, try_take(store, req.prefix, mine, top ? top->generation + 1 : 1));
    if (won) return StoreLock(store, req, mine);
  }
  return make_error(ErrorCode::Store, "could not take the lock {}: lost {} races in a row",
                    req.prefix, kMaxRounds);
}

Result<std::optional<LockHolder>> break_lock(store::Store& store, std::string_view prefix) {
  for (int round = 0; round < kMaxRounds; ++round) {
    PGO_TRY_ASSIGN(std::optional<LockHolder> top, read_lock(store, prefix));
    if (top && top->state == "released") return std::optional<LockHolder>{};
    LockHolder tomb;
    tomb.host = host_name();
    tomb.pid = std::to_string(::getpid());
    tomb.state = "released";
    tomb.token = random_hex(16);
    tomb.started = format_rfc3339(now());
    tomb.expires = now();
    PGO_TRY_ASSIGN(bool won, try_take(store, prefix, tomb, top ? top->generation + 1 : 1));
    if (won) return top;
  }
  return make_error(ErrorCode::Store, "could not break the lock {}: lost {} races in a row",
                    prefix, kMaxRounds);
}

}  // namespace pgopipe::rebuild
