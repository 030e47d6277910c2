// SPDX-License-Identifier: Apache-2.0
#include "collector/spool.hpp"

#include <gtest/gtest.h>

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
    EXPECT_TRUE(complete_meta(m, bytes).ok());
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

}  // namespace
