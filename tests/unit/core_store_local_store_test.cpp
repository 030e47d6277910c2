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
  ScratchDir scratch_{"pgopipe-modes"};
  fs::path root_ = scratch_.path() / "store";
};

// Production profiles are not for every local user: 0600 files and 0700 directories.
TEST(LocalStoreOpen, AMissingRootIsCreatedOnlyWhenAsked) {
  ScratchDir dir("pgopipe-local-open");
  const fs::path root = dir.path() / "no-such-store";
  store::StoreOptions o;
  o.create = false;
  auto refused = store::make_local_store(root, o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Store);
  EXPECT_NE(refused.error().message.find(root.string()), std::string::npos) << refused.error().message;
  EXPECT_FALSE(fs::exists(root));
  o.create = true;
  ASSERT_TRUE(store::make_local_store(root, o));
  EXPECT_TRUE(fs::is_directory(root));
  o.create = false;
  EXPECT_TRUE(store::make_local_store(root, o)) << "an existing store opens read-only";
}

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
