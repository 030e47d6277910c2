// SPDX-License-Identifier: Apache-2.0
// The rebuild lock against both real stores (a local directory and S3 on moto): two runs
// breaking the same expired lock, a retried exclusive create whose first try went through,
// and a run whose lock expired while it worked (it must not publish). Races are ordered by
// a pass-through Store wrapper that holds calls of one thread until the test lets them go;
// the stores underneath are the real ones.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/digest.hpp"
#include "core/fs.hpp"
#include "rebuild/lock.hpp"
#include "rebuild/publish.hpp"
#include "tests/integration/store_backends.hpp"
#include "tests/support/fault_proxy.hpp"

namespace pgopipe::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Forwards every call to `inner`; a thread with a gate waits before its first mutation made
// after it read the planted lock, until its gate opens.
class OrderedStore final : public store::Store {
 public:
  OrderedStore(store::Store& inner, std::string marker) : inner_(inner), marker_(std::move(marker)) {}

  struct Gate {
    bool saw_marker = false;
    bool open = false;
  };
  static thread_local Gate* gate;

  // Blocks until `n` threads have read the marker.
  void wait_for_readers(int n) {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return readers_ >= n; });
  }
  void open(Gate& g) {
    std::lock_guard l(mu_);
    g.open = true;
    cv_.notify_all();
  }

  Result<std::string> put(const ProfileMeta& m, std::string_view b) override {
    return inner_.put(m, b);
  }
  Result<void> put_at(std::string_view k, const ProfileMeta& m, std::string_view b) override {
    return inner_.put_at(k, m, b);
  }
  Result<std::vector<store::StoredObject>> list(const store::Query& q, std::vector<store::DamagedObject>* damaged) override {
    return inner_.list(q, damaged);
  }
  Result<store::Blob> get(std::string_view key) override { return inner_.get(key); }
  Result<void> remove(std::string_view key) override { hold(); return inner_.remove(key); }
  Result<void> put_raw(std::string_view key, std::string_view bytes, bool exclusive) override {
    hold();
    return inner_.put_raw(key, bytes, exclusive);
  }
  Result<std::string> get_raw(std::string_view key) override {
    auto r = inner_.get_raw(key);
    if (r && gate && r->find(marker_) != std::string::npos && !gate->saw_marker) {
      std::lock_guard l(mu_);
      gate->saw_marker = true;
      ++readers_;
      cv_.notify_all();
    }
    return r;
  }
  Result<std::vector<std::string>> list_raw(std::string_view p) override {
    return inner_.list_raw(p);
  }
  Result<void> remove_raw(std::string_view key) override { hold(); return inner_.remove_raw(key); }
  [[nodiscard]] std::string describe() const override { return inner_.describe(); }

 private:
  void hold() {
    if (!gate || !gate->saw_marker) return;
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return gate->open; });
  }
  store::Store& inner_;
  std::string marker_;
  std::mutex mu_;
  std::condition_variable cv_;
  int readers_ = 0;
};
thread_local OrderedStore::Gate* OrderedStore::gate = nullptr;

// Sends every exclusive create twice, as a client retrying a request whose response was lost.
class RetryingStore final : public store::Store {
 public:
  explicit RetryingStore(store::Store& inner) : inner_(inner) {}
  Result<std::string> put(const ProfileMeta& m, std::string_view b) override {
    return inner_.put(m, b);
  }
  Result<void> put_at(std::string_view k, const ProfileMeta& m, std::string_view b) override {
    return inner_.put_at(k, m, b);
  }
  Result<std::vector<store::StoredObject>> list(const store::Query& q, std::vector<store::DamagedObject>* damaged) override {
    return inner_.list(q, damaged);
  }
  Result<store::Blob> get(std::string_view key) override { return inner_.get(key); }
  Result<void> remove(std::string_view key) override { return inner_.remove(key); }
  Result<void> put_raw(std::string_view key, std::string_view bytes, bool exclusive) override {
    if (exclusive) {
      auto first = inner_.put_raw(key, bytes, exclusive);
      if (first) ++lost_responses;
    }
    return inner_.put_raw(key, bytes, exclusive);
  }
  Result<std::string> get_raw(std::string_view key) override { return inner_.get_raw(key); }
  Result<std::vector<std::string>> list_raw(std::string_view p) override {
    return inner_.list_raw(p);
  }
  Result<void> remove_raw(std::string_view key) override { return inner_.remove_raw(key); }
  [[nodiscard]] std::string describe() const override { return inner_.describe(); }
  int lost_responses = 0;

 private:
  store::Store& inner_;
};

class LockRace : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto backend = make_backend(GetParam());
    ASSERT_TRUE(backend) << backend.error().message;
    backend_ = *backend;
    store_ = open(endpoint());
    ASSERT_TRUE(store_);
  }
  void TearDown() override {
    stalled_.reset();
    store_.reset();
  }
  std::string endpoint() const { return backend_.s3 ? backend_.s3->endpoint() : ""; }
  std::unique_ptr<store::Store> open(const std::string& s3_endpoint, int retries = 1) const {
    store::StoreOptions o;
    if (backend_.s3) {
      o.s3.endpoint = s3_endpoint;
      o.s3.region = backend_.s3->region();
      o.s3.retries = retries;
    }
    auto s = store::open_store(backend_.url, o);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  // A lock whose holder stopped renewing and whose ttl ran out; returns the holder's token.
  std::string plant_expired_lock() {
    rebuild::LockRequest r{rebuild::lock_prefix("app"), 100ms, {}, 1h};
    auto stalled = rebuild::acquire_lock(*store_, r);
    EXPECT_TRUE(stalled) << stalled.error().message;
    auto top = rebuild::read_lock(*store_, rebuild::lock_prefix("app"));
    EXPECT_TRUE(top && *top);
    // The holder stalled: it neither renews nor releases until the test ends.
    stalled_.emplace(std::move(*stalled));
    std::this_thread::sleep_for(200ms);
    return (top && *top) ? (*top)->token : "";
  }
  rebuild::LockRequest request() const { return rebuild::LockRequest{rebuild::lock_prefix("app"), 1h, {}, {}}; }

  Backend backend_;
  std::unique_ptr<store::Store> store_;
  std::optional<rebuild::StoreLock> stalled_;
};

// Both breakers read the expired lock before either acts; the first then finishes taking
// the lock, and only then may the second act on what it read. Exactly one may hold it.
TEST_P(LockRace, TwoBreakersOfOneExpiredLockExactlyOneWins) {
  std::string token = plant_expired_lock();
  ASSERT_FALSE(token.empty());
  OrderedStore ordered(*store_, token);
  OrderedStore::Gate gates[2];
  std::optional<Result<rebuild::StoreLock>> results[2];
  auto breaker = [&](int i) {
    OrderedStore::gate = &gates[i];
    results[i].emplace(rebuild::acquire_lock(ordered, request()));
  };
  std::thread first(breaker, 0), second(breaker, 1);
  ordered.wait_for_readers(2);
  ordered.open(gates[0]);
  first.join();
  ordered.open(gates[1]);
  second.join();
  int winners = (results[0]->ok() ? 1 : 0) + (results[1]->ok() ? 1 : 0);
  EXPECT_EQ(winners, 1) << (results[1]->ok() ? "the second breaker took the lock too"
                                             : results[1]->error().message);
  ASSERT_TRUE(results[0]->ok()) << results[0]->error().message;
  EXPECT_EQ(results[1]->error().code, ErrorCode::Busy);
  EXPECT_TRUE((*results[0])->check().ok());
}

// Many runs at once, unordered: never more than one holder.
TEST_P(LockRace, ConcurrentTakersOfAnExpiredLockOneWins) {
  ASSERT_FALSE(plant_expired_lock().empty());
  constexpr int kRuns = 6;
  std::vector<std::optional<Result<rebuild::StoreLock>>> results(kRuns);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; ++i) {
    threads.emplace_back([&, i] { results[i].emplace(rebuild::acquire_lock(*store_, request())); });
  }
  for (auto& t : threads) t.join();
  int winners = 0;
  for (int i = 0; i < kRuns; ++i) {
    if (results[i]->ok()) {
      ++winners;
    } else {
      EXPECT_EQ(results[i]->error().code, ErrorCode::Busy) << results[i]->error().message;
    }
  }
  EXPECT_EQ(winners, 1);
}

// The first create went through but its answer was lost; the retry gets "exists" (412 on
// S3). The run must recognise its own lock instead of reporting itself busy.
TEST_P(LockRace, RetriedExclusiveCreateRecognisesItsOwnLock) {
  RetryingStore retrying(*store_);
  auto lock = rebuild::acquire_lock(retrying, request());
  EXPECT_EQ(retrying.lost_responses, 1);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->check().ok());
}

// The same through the S3 client's own retry: the fault proxy drops the answer to the
// lock's PUT after moto stored it.
class LockRaceS3 : public LockRace {};

TEST_P(LockRaceS3, LostAnswerToTheLockPutIsRetriedAndRecognised) {
  FaultProxy proxy(backend_.s3->port());
  ASSERT_TRUE(proxy.error().empty()) << proxy.error();
  ASSERT_TRUE(proxy.set_rules(R"([{"method": "PUT", "path": "/published/", "fault": "reset",
                                   "after": 0, "count": 1}])"));
  auto via_proxy = open(proxy.endpoint(), 3);
  ASSERT_TRUE(via_proxy);
  auto lock = rebuild::acquire_lock(*via_proxy, request());
  EXPECT_EQ(proxy.stats()["faults"], 1);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->check().ok());
}

// A run stalls past the ttl (no renewal), another run takes the lock over; when the first
// run gets to publishing, the fence refuses before anything is written.
TEST_P(LockRace, RunWhoseLockExpiredPublishesNothing) {
  rebuild::LockRequest stalled{rebuild::lock_prefix("app"), 300ms, {}, 1h};
  auto first = rebuild::acquire_lock(*store_, stalled);
  ASSERT_TRUE(first) << first.error().message;
  std::this_thread::sleep_for(400ms);
  auto second = rebuild::acquire_lock(*store_, request());
  ASSERT_TRUE(second) << second.error().message;

  ScratchDir tmp{"pgopipe-test"};
  fs::path profile = tmp.path() / "profile.profdata";
  const std::string bytes = "merged profile bytes";
  ASSERT_TRUE(write_file_atomic(profile, bytes));
  rebuild::PublishedManifest m;
  m.app = "app";
  m.profile_key = "app/published/20260101T000000Z-0123456789ab/profile.profdata";
  m.profile_sha256 = sha256_hex(bytes);
  auto before = store_->list_raw("app/published/");
  ASSERT_TRUE(before);
  auto published = rebuild::publish(*store_, m, profile, {}, [&] { return first->check(); });
  ASSERT_FALSE(published.ok());
  EXPECT_NE(published.error().message.find("lost the lock"), std::string::npos)
      << published.error().message;
  auto after = store_->list_raw("app/published/");
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before);  // neither the profile nor a manifest
  EXPECT_EQ(store_->get_raw(rebuild::manifest_key("app")).error().code, ErrorCode::NotFound);
  // The current holder publishes normally.
  EXPECT_TRUE(rebuild::publish(*store_, m, profile, {}, [&] { return second->check(); }).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, LockRace, ::testing::Values("file", "s3"));
// The local store has no network in between, so nothing there retries a create.
INSTANTIATE_TEST_SUITE_P(S3, LockRaceS3, ::testing::Values("s3"));

}  // namespace
}  // namespace pgopipe::test
