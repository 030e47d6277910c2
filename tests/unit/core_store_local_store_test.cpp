// SPDX-License-Identifier: Apache-2.0
#include "core/store/local_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

class LocalStoreModes : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Puts one profile and one raw object; returns their paths.
  std::pair<fs::path, fs::path> write_both(unsigned file_mode) {
    store::StoreOptions o;
    o.file_mode = file_mode;
    auto store = store::make_local_store(root_, o);
    EXPECT_TRUE(store) << store.error().message;
    ProfileMeta m;
    m.app = "app";
    m.collected_at = now();
    auto key = (*store)->put(m, "profile bytes");
    EXPECT_TRUE(key) << key.error().message;
    EXPECT_TRUE((*store)->put_raw("app/published/x/profile.profdata", "published", false));
    EXPECT_TRUE((*store)->put_raw("app/published/lock/000000000001", "{}", true));
    return {root_ / *key, root_ / "app/published/x/profile.profdata"};
  }
  fs::path root_ = fs::temp_directory_path() / ("pgopipe-modes-" + random_hex(6));
};

// Production profiles are not for every local user: 0600 files and 0700 directories.
TEST_F(LocalStoreModes, DefaultIsPrivate) {
  auto [object, raw] = write_both(0600);
  EXPECT_EQ(mode_of(root_), 0700u);
  EXPECT_EQ(mode_of(object), 0600u);
  EXPECT_EQ(mode_of(fs::path(object.string() + ".meta.json")), 0600u);
  EXPECT_EQ(mode_of(object.parent_path()), 0700u);
  EXPECT_EQ(mode_of(root_ / "app"), 0700u);
  EXPECT_EQ(mode_of(raw), 0600u);
  EXPECT_EQ(mode_of(root_ / "app/published/lock/000000000001"), 0600u);
}

// store.file_mode: 0640 shares a store with the group.
TEST_F(LocalStoreModes, GroupSharingMode) {
  auto [object, raw] = write_both(0640);
  EXPECT_EQ(mode_of(object), 0640u);
  EXPECT_EQ(mode_of(object.parent_path()), 0750u);
  EXPECT_EQ(mode_of(raw), 0640u);
  EXPECT_EQ(mode_of(raw.parent_path()), 0750u);
}

}  // namespace
}  // namespace pgopipe
