// SPDX-License-Identifier: Apache-2.0
#include "rebuild/lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class LockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_store(dir_.string(), {}));
  }

  rebuild::LockRequest request(Duration ttl, std::optional<Duration> wait = {}) {
    return rebuild::LockRequest{rebuild::lock_prefix("app"), ttl, wait, {}};
  }
  std::optional<rebuild::LockHolder> top() {
    auto h = rebuild::read_lock(*store_, rebuild::lock_prefix("app"));
    EXPECT_TRUE(h) << h.error().message;
    return h ? *h : std::nullopt;
  }
  ScratchDir scratch_{"pgopipe-lock"};
  fs::path dir_ = scratch_.path() / "store";
  std::unique_ptr<store::Store> store_;
};

TEST_F(LockTest, SecondTakerIsBusyUntilReleased) {
  auto first = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::Busy);
  EXPECT_NE(second.error().message.find("busy"), std::string::npos);
  ASSERT_TRUE(first->release().ok());
  EXPECT_TRUE(first->release().ok());  // twice is fine
  auto third = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(third.ok());
  EXPECT_GT(third->generation(), first->generation());  // generations never go down
}

TEST_F(LockTest, DestructorReleases) {
  {
    auto lock = rebuild::acquire_lock(*store_, request(1h));
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(top() && top()->live(now()));
  }
  ASSERT_TRUE(top());
  EXPECT_EQ(top()->state, "released");
}

TEST_F(LockTest, ExpiredLockIsBrokenAndGarbageCountsAsExpired) {
  rebuild::LockRequest stalled = request(200ms);
  stalled.renew_every = 1h;  // a holder that stopped renewing (stalled, or a paused VM)
  auto old = rebuild::acquire_lock(*store_, stalled);
  ASSERT_TRUE(old.ok());
  std::this_thread::sleep_for(300ms);
  auto fresh = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  ASSERT_TRUE(old->release().ok());  // the old holder must not release the new lock
  EXPECT_TRUE(top() && top()->live(now()));
  ASSERT_TRUE(fresh->release().ok());
  ASSERT_TRUE(store_->put_raw(rebuild::lock_prefix("app") + "000000000099", "not json", false).ok());
  auto over_garbage = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(over_garbage.ok()) << over_garbage.error().message;
  EXPECT_EQ(over_garbage->generation(), 100u);
}

TEST_F(LockTest, RenewalKeepsALiveRunsLockPastItsTtl) {
  auto holder = rebuild::acquire_lock(*store_, request(1500ms));
  ASSERT_TRUE(holder.ok());
  std::this_thread::sleep_for(3500ms);  // over 2 ttls: without renewal the lock would be broken
  auto other = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::Busy);
  EXPECT_TRUE(holder->check().ok());
  EXPECT_FALSE(holder->lost());
}

TEST_F(LockTest, FenceRefusesAfterTheLockWasTakenOver) {
  rebuild::LockRequest stalled = request(1500ms);
  stalled.renew_every = 1h;
  auto first = rebuild::acquire_lock(*store_, stalled);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->check().ok());
  std::this_thread::sleep_for(1600ms);
  auto expired = first->check();  // expired, not yet taken over
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("lost the lock"), std::string::npos);
  auto second = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(second.ok()) << second.error().message;
  auto fenced = first->check();
  ASSERT_FALSE(fenced.ok());
  EXPECT_NE(fenced.error().message.find("taken over"), std::string::npos) << fenced.error().message;
  EXPECT_TRUE(first->lost());
  EXPECT_TRUE(second->check().ok());
}

TEST_F(LockTest, UnlockBreaksAHeldLockAndNamesTheHolder) {
  auto held = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(held.ok());
  auto broken = rebuild::break_lock(*store_, rebuild::lock_prefix("app"));
  ASSERT_TRUE(broken) << broken.error().message;
  ASSERT_TRUE(broken->has_value());
  EXPECT_EQ((*broken)->host, host_name());
  EXPECT_EQ((*broken)->pid, std::to_string(::getpid()));
  EXPECT_FALSE((*broken)->started.empty());
  auto next = rebuild::acquire_lock(*store_, request(1h));
  EXPECT_TRUE(next.ok());
  EXPECT_FALSE(held->check().ok());
}

TEST_F(LockTest, WaitGivesUpAfterTheDeadline) {
  auto held = rebuild::acquire_lock(*store_, request(1h));
  ASSERT_TRUE(held.ok());
  auto start = std::chrono::steady_clock::now();
  auto waited = rebuild::acquire_lock(*store_, request(1h, 300ms));
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().code, ErrorCode::Busy);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

}  // namespace
}  // namespace pgopipe
