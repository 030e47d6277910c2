// SPDX-License-Identifier: Apache-2.0
#include "rebuild/lock.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

class LockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgopipe-lock-" + random_hex(6));
    store_ = std::move(*open_store(dir_.string(), {}));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(LockTest, SecondTakerIsBusyUntilReleased) {
  bool busy = false;
  auto first = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(busy);
  auto second = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(busy);
  EXPECT_NE(second.error().message.find("busy"), std::string::npos);
  ASSERT_TRUE(first->release().ok());
  EXPECT_TRUE(first->release().ok());  // twice is fine
  auto third = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  EXPECT_TRUE(third.ok());
}

TEST_F(LockTest, DestructorReleases) {
  bool busy = false;
  {
    auto lock = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
    ASSERT_TRUE(lock.ok());
  }
  EXPECT_EQ(store_->get_raw(lock_key("app")).error().code, ErrorCode::NotFound);
}

TEST_F(LockTest, ExpiredLockIsBrokenAndGarbageCountsAsExpired) {
  bool busy = false;
  auto old = acquire_lock(*store_, {lock_key("app"), std::chrono::nanoseconds{1}, {}}, &busy);
  ASSERT_TRUE(old.ok());
  auto fresh = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  ASSERT_TRUE(old->release().ok());  // the old holder must not remove the new lock
  EXPECT_TRUE(store_->get_raw(lock_key("app")).ok());
  ASSERT_TRUE(fresh->release().ok());
  ASSERT_TRUE(store_->put_raw(lock_key("app"), "not json", false).ok());
  auto over_garbage = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  EXPECT_TRUE(over_garbage.ok());
}

TEST_F(LockTest, WaitGivesUpAfterTheDeadline) {
  bool busy = false;
  auto held = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, {}}, &busy);
  ASSERT_TRUE(held.ok());
  auto start = std::chrono::steady_clock::now();
  auto waited = acquire_lock(*store_, {lock_key("app"), std::chrono::hours{1}, std::chrono::milliseconds{300}}, &busy);
  EXPECT_FALSE(waited.ok());
  EXPECT_TRUE(busy);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds{300});
}

}  // namespace
}  // namespace pgopipe
