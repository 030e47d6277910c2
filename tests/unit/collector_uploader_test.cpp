// SPDX-License-Identifier: Apache-2.0
#include "collector/uploader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/fs.hpp"

namespace pgopipe::collector {
namespace {

namespace fs = std::filesystem;

// A local store whose root cannot be created while `blocker_` is a regular file: the store is
// "down" until the test removes it.
class UploaderTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(blocker_) << "not a directory"; }

  Uploader uploader(uint64_t spool_max = 1 << 20) {
    return Uploader(url_, {}, spool_, spool_max, [this](std::string_view level, const std::string& m) {
      log_.push_back(std::string(level) + ": " + m);
    });
  }
  static ProfileMeta meta(int minute) {
    ProfileMeta m;
    m.app = "svc";
    m.collected_at = now() - std::chrono::hours{1} + std::chrono::minutes{minute};
    m.labels = {{"pod", "a"}};
    return m;
  }
  size_t stored() {
    auto store = store::open_store(url_, {});
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return 0;
    store::Query q;
    q.app = "svc";
    q.window = {now() - std::chrono::hours{2}, now()};
    auto listed = (*store)->list(q);
    EXPECT_TRUE(listed) << listed.error().message;
    return listed ? listed->size() : 0;
  }
  size_t spooled() const {
    auto entries = Spool(spool_, 1 << 20).entries();
    EXPECT_TRUE(entries);
    return entries ? entries->size() : 0;
  }
  bool logged(const std::string& text) const {
    for (const auto& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  ScratchDir dir_{"pgopipe-uploader-test"};
  fs::path blocker_ = dir_.path() / "blocker";
  std::string url_ = "file://" + (blocker_ / "store").string();
  fs::path spool_ = dir_.path() / "spool";
  std::vector<std::string> log_;
};

TEST_F(UploaderTest, SpoolsWhileTheStoreIsDownAndDeliversOldestFirstOnceItIsUp) {
  auto up = uploader();
  for (int i = 0; i < 3; ++i) {
    auto key = up.deliver(meta(i), "profile " + std::to_string(i), i);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(*key, "") << "spooled, not stored";
  }
  EXPECT_EQ(spooled(), 3u);
  EXPECT_TRUE(logged("warning: store " + url_ + " unreachable")) << log_.front();
  EXPECT_EQ(up.drain(), 3u);  // still down: everything waits

  fs::remove(blocker_);
  auto key = up.deliver(meta(3), "profile 3", 3);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_NE(*key, "") << "the store answers again: uploaded directly";
  EXPECT_EQ(spooled(), 0u);
  EXPECT_EQ(stored(), 4u);
  EXPECT_TRUE(logged("info: uploaded 3 spooled profile(s) to " + url_));
}

TEST_F(UploaderTest, AProfileAlreadyInTheStoreIsNotUploadedTwice) {
  fs::remove(blocker_);
  // An upload whose answer was lost: the object is in the store and still in the spool.
  ProfileMeta m = meta(1);
  const std::string bytes = "the same profile";
  {
    auto store = store::open_store(url_, {});
    ASSERT_TRUE(store);
    ProfileMeta stored_meta = m;
    ASSERT_TRUE(store::complete_meta(stored_meta, bytes));
    ASSERT_TRUE((*store)->put(stored_meta, bytes));
  }
  Spool spool(spool_, 1 << 20);
  ASSERT_TRUE(spool.add(format_compact(m.collected_at) + "-1-00000001", m, bytes));
  ASSERT_TRUE(spool.add(format_compact(m.collected_at) + "-1-00000002", meta(2), "another profile"));
  auto up = uploader();
  EXPECT_EQ(up.drain(), 0u);
  EXPECT_EQ(spooled(), 0u);
  EXPECT_EQ(stored(), 2u);
  EXPECT_TRUE(logged("uploaded 1 spooled profile(s)"));
}

TEST_F(UploaderTest, AFullSpoolDropsTheOldestAndSaysSo) {
  // The size of one entry (payload and metadata), measured on a spool of its own.
  ProfileMeta probe = meta(0);
  ASSERT_TRUE(store::complete_meta(probe, std::string(15, 'a')));
  Spool measure(dir_.path() / "measure", 1 << 20);
  ASSERT_TRUE(measure.add("probe", probe, std::string(15, 'a')));
  uint64_t one = measure.entries().value().at(0).bytes;

  auto up = uploader(2 * one + one / 2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(up.deliver(meta(i), std::string(15, 'a' + i), i));
  EXPECT_EQ(spooled(), 2u);
  EXPECT_TRUE(logged("full: dropped 1 oldest profile(s)")) << ::testing::PrintToString(log_);
}

TEST_F(UploaderTest, DamagedSpoolEntriesAreRemovedAndNamed) {
  fs::remove(blocker_);
  Spool spool(spool_, 1 << 20);
  ProfileMeta m = meta(1);
  ASSERT_TRUE(store::complete_meta(m, "original bytes"));
  ASSERT_TRUE(spool.add("20260101T000000Z-1-00000001", m, "tampered bytes"));
  auto up = uploader();
  EXPECT_EQ(up.drain(), 0u);
  EXPECT_EQ(spooled(), 0u);
  EXPECT_EQ(stored(), 0u);
  EXPECT_TRUE(logged("error: spooled profile 20260101T000000Z-1-00000001 is damaged")) << ::testing::PrintToString(log_);
}

TEST_F(UploaderTest, InvalidMetadataIsAnErrorAndNothingIsSpooled) {
  auto up = uploader();
  ProfileMeta m = meta(1);
  m.app = "bad app name";
  EXPECT_FALSE(up.deliver(m, "bytes", 1));
  EXPECT_EQ(spooled(), 0u);
}

}  // namespace
}  // namespace pgopipe::collector
