// SPDX-License-Identifier: Apache-2.0
#include "collector/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/fs.hpp"
#include "core/store/store.hpp"

using namespace pgopipe;
using namespace pgopipe::collector;
namespace fs = std::filesystem;

namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fs::temp_directory_path() / ("pgopipe-spool-" + random_hex(6)); }
  void TearDown() override { fs::remove_all(dir_); }

  static ProfileMeta meta(const std::string& bytes) {
    ProfileMeta m;
    m.app = "app";
    m.collected_at = now();
    m.labels = {{"seq", "1"}};
    EXPECT_TRUE(store::complete_meta(m, bytes).ok());
    return m;
  }

  fs::path dir_;
};

TEST_F(SpoolTest, RoundTripsOldestFirst) {
  Spool spool(dir_, 1 << 20);
  std::string a(100, 'a'), b(100, 'b');
  ASSERT_EQ(*spool.add("20260101T000002Z-1-00000002", meta(b), b), 0u);
  ASSERT_EQ(*spool.add("20260101T000001Z-1-00000001", meta(a), a), 0u);
  auto list = spool.entries();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "20260101T000001Z-1-00000001");
  auto read = spool.read((*list)[0]);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->second, a);
  EXPECT_EQ(read->first.labels.at("seq"), "1");
  ASSERT_TRUE(spool.remove((*list)[0]).ok());
  EXPECT_EQ(spool.entries()->size(), 1u);
}

TEST_F(SpoolTest, FullSpoolDropsTheOldestAndCounts) {
  std::string p(1000, 'x');
  uint64_t one = p.size() + to_json(meta(p)).dump().size() + 1;
  Spool spool(dir_, 2 * one + 10);
  EXPECT_EQ(*spool.add("1", meta(p), p), 0u);
  EXPECT_EQ(*spool.add("2", meta(p), p), 0u);
  EXPECT_EQ(*spool.add("3", meta(p), p), 1u);
  EXPECT_EQ(*spool.add("4", meta(p), p), 1u);
  EXPECT_EQ(spool.dropped(), 2u);
  auto list = spool.entries();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "3");
  EXPECT_EQ((*list)[1].name, "4");
}

TEST_F(SpoolTest, AProfileLargerThanTheSpoolIsDroppedAndCounted) {
  Spool spool(dir_, 100);
  std::string big(1000, 'x');
  EXPECT_EQ(*spool.add("1", meta(big), big), 1u);
  EXPECT_EQ(spool.dropped(), 1u);
  EXPECT_TRUE(spool.entries()->empty());
}

TEST_F(SpoolTest, IgnoresPayloadsWithoutMetadata) {
  fs::create_directories(dir_);
  ASSERT_TRUE(write_file_atomic(dir_ / "orphan.prof", "x").ok());
  Spool spool(dir_, 1 << 20);
  EXPECT_TRUE(spool.entries()->empty());
}

// Without HOME the spool lives at a predictable place in the system temp dir: a directory
// planted there by another user (or left open to everyone) is refused, so nothing planted
// is ever uploaded; a fresh one is created private.
TEST_F(SpoolTest, FallbackWithoutHomeIsPrivateAndPlantedOnesAreRefused) {
  fs::create_directories(dir_);
  std::map<std::string, std::optional<std::string>> saved;
  for (const char* name : {"HOME", "XDG_CACHE_HOME", "TMPDIR"}) {
    const char* v = std::getenv(name);
    saved[name] = v ? std::optional<std::string>(v) : std::nullopt;
  }
  ::unsetenv("HOME");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("TMPDIR", dir_.c_str(), 1);
  fs::path spool_dir = default_spool_dir("app");
  EXPECT_EQ(spool_dir.parent_path().parent_path(), dir_) << spool_dir;

  const std::string bytes = "profile";
  {
    Spool fresh(spool_dir, 1 << 20);
    ASSERT_TRUE(fresh.add("20260101T000001Z-1-00000001", meta(bytes), bytes).ok());
    struct stat st {};
    ASSERT_EQ(::stat(spool_dir.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat((spool_dir / "20260101T000001Z-1-00000001.prof").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  // Another user's doing: the base directory opened to everyone (or, as root, given away).
  fs::permissions(spool_dir.parent_path(), fs::perms::all);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(spool_dir.parent_path().c_str(), 65534, 65534), 0);
  }
  Spool planted(spool_dir, 1 << 20);
  auto listed = planted.entries();
  ASSERT_FALSE(listed.ok()) << "a spool others can write to was drained";
  EXPECT_NE(listed.error().message.find(spool_dir.parent_path().string()), std::string::npos)
      << listed.error().message;
  EXPECT_FALSE(planted.add("20260101T000002Z-1-00000002", meta(bytes), bytes).ok());

  for (const auto& [name, value] : saved) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

}  // namespace
