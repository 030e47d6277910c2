// SPDX-License-Identifier: Apache-2.0
#include "merger/window.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"
#include "core/store/local_store.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

const merge::WarnFn kQuiet = [](const std::string&, const std::string&) {};

const fs::path kData = fs::path(PGOPIPE_SOURCE_DIR) / "tests" / "data" / "llvm";

class MergeWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = store::make_local_store(dir_.path() / "store", {});
    ASSERT_TRUE(local) << local.error().message;
    store_ = std::move(*local);
    query_.app = "web";
    query_.window = {now() - std::chrono::hours{1}, now()};
  }

  void put(const std::string& file, Duration age) {
    auto bytes = read_file(kData / file);
    ASSERT_TRUE(bytes) << bytes.error().message;
    ProfileMeta m;
    m.app = "web";
    m.collected_at = now() - age;
    m.format = ProfileFormat::SampleText;
    auto key = store_->put(m, *bytes);
    ASSERT_TRUE(key) << key.error().message;
  }

  ScratchDir dir_{"pgopipe-window-test"};
  std::unique_ptr<store::Store> store_;
  store::Query query_;
};

TEST_F(MergeWindowTest, AnEmptyWindowIsNotFoundNamingAppWindowAndStore) {
  auto listed = merge::list_window(*store_, query_);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ErrorCode::NotFound);
  const std::string& m = listed.error().message;
  EXPECT_NE(m.find("no profiles of web in ["), std::string::npos) << m;
  EXPECT_NE(m.find(format_rfc3339(query_.window.since)), std::string::npos) << m;
  EXPECT_NE(m.find(store_->describe()), std::string::npos) << m;
}

TEST_F(MergeWindowTest, MergesTheWindowAndWritesItsProvenance) {
  put("sample_a.txt", std::chrono::minutes{30});
  put("sample_b.txt", std::chrono::minutes{10});
  put("sample_c.txt", std::chrono::hours{3});  // outside the window
  auto listed = merge::list_window(*store_, query_);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);

  merge::MergeRequest req;
  req.output = dir_.path() / "merged.sample";
  auto merged = merge::merge_store_window(*store_, query_, *listed, req, "half-life none", kQuiet);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->report.merged, 2u);
  EXPECT_TRUE(fs::exists(req.output));
  auto provenance = merge::read_provenance(req.output);
  ASSERT_TRUE(provenance);
  EXPECT_EQ(provenance->store, store_->describe());
  EXPECT_EQ(provenance->app, "web");
  ASSERT_TRUE(provenance->window);
  EXPECT_EQ(format_rfc3339(provenance->window->until), format_rfc3339(query_.window.until));
  EXPECT_EQ(provenance->merged, 2u);
  EXPECT_EQ(provenance->skipped, 0u);
  EXPECT_EQ(provenance->weighting, "half-life none");
  ASSERT_TRUE(provenance->first_collected && provenance->last_collected);
  EXPECT_LT(*provenance->first_collected, *provenance->last_collected);
}

TEST_F(MergeWindowTest, AFailedMergeLeavesNoStaleProvenance) {
  merge::MergeRequest req;
  req.output = dir_.path() / "merged.sample";
  ASSERT_TRUE(write_file_atomic(req.output, "old profile"));
  merge::Provenance old;
  old.app = "old";
  ASSERT_TRUE(merge::write_provenance(req.output, old));
  req.sources = {{"broken", ProfileFormat::SampleText, std::nullopt, Duration{0},
                  []() -> Result<std::string> { return make_error(ErrorCode::Input, "unreadable"); }}};
  auto merged = merge::merge_with_provenance(req, merge::Provenance{}, kQuiet);
  ASSERT_FALSE(merged);
  EXPECT_FALSE(merge::read_provenance(req.output));
}

}  // namespace
}  // namespace pgopipe
