// SPDX-License-Identifier: Apache-2.0
#include "rebuild/publish.hpp"

#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_store((dir_ / "store").string(), {}));
  }

  rebuild::PublishedManifest manifest_for(const std::string& bytes) {
    rebuild::PublishedManifest m;
    m.app = "svc";
    m.profile_sha256 = sha256_hex(bytes);
    m.profile_key = rebuild::published_dir_key("svc", now(), m.profile_sha256) + "/profile.profdata";
    m.profile_kind = "instr";
    m.speedup = 1.1;
    return m;
  }
  ScratchDir scratch_{"pgopipe-publish"};
  fs::path dir_ = scratch_.path();
  std::unique_ptr<store::Store> store_;
};

TEST_F(PublishTest, NothingPublishedYetIsEmpty) {
  auto m = rebuild::read_manifest(*store_, "svc");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_FALSE(m->has_value());
}

TEST_F(PublishTest, PublishedProfileAndReportsAreFoundThroughTheManifest) {
  ASSERT_TRUE(write_file_atomic(dir_ / "p.profdata", "profile-bytes").ok());
  ASSERT_TRUE(write_file_atomic(dir_ / "report.json", "{}").ok());
  rebuild::PublishedManifest m = manifest_for("profile-bytes");
  std::string report_key = m.profile_key.substr(0, m.profile_key.rfind('/')) + "/report.json";
  m.files = {report_key};
  ASSERT_TRUE(rebuild::publish(*store_, m, dir_ / "p.profdata", {{dir_ / "report.json", report_key}}).ok());
  auto back = rebuild::read_manifest(*store_, "svc");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->profile_key, m.profile_key);
  EXPECT_DOUBLE_EQ((*back)->speedup, 1.1);
  EXPECT_EQ((*back)->files, m.files);
  auto bytes = rebuild::fetch_published_profile(*store_, **back);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(*bytes, "profile-bytes");
  EXPECT_EQ(*store_->get_raw(report_key), "{}");
}

TEST_F(PublishTest, FailureBeforeTheManifestKeepsThePreviousPublishCurrent) {
  ASSERT_TRUE(write_file_atomic(dir_ / "old.profdata", "old").ok());
  rebuild::PublishedManifest old = manifest_for("old");
  ASSERT_TRUE(rebuild::publish(*store_, old, dir_ / "old.profdata", {}).ok());
  auto before = store_->get_raw(rebuild::manifest_key("svc"));
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(write_file_atomic(dir_ / "new.profdata", "new").ok());
  rebuild::PublishedManifest fresh = manifest_for("new");
  // A report file that cannot be read fails the publish after the profile was uploaded.
  auto failed = rebuild::publish(*store_, fresh, dir_ / "new.profdata", {{dir_ / "missing.json", "svc/published/x/r.json"}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(*store_->get_raw(rebuild::manifest_key("svc")), *before);
  EXPECT_EQ(*rebuild::fetch_published_profile(*store_, **rebuild::read_manifest(*store_, "svc")), "old");
}

TEST_F(PublishTest, TamperedProfileIsAnIntegrityError) {
  ASSERT_TRUE(write_file_atomic(dir_ / "p.profdata", "good").ok());
  rebuild::PublishedManifest m = manifest_for("good");
  ASSERT_TRUE(rebuild::publish(*store_, m, dir_ / "p.profdata", {}).ok());
  ASSERT_TRUE(store_->put_raw(m.profile_key, "evil", false).ok());
  auto bytes = rebuild::fetch_published_profile(*store_, m);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, ErrorCode::Integrity);
  ASSERT_TRUE(store_->put_raw(rebuild::manifest_key("svc"), "{not json", false).ok());
  auto broken = rebuild::read_manifest(*store_, "svc");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::Integrity);
}

}  // namespace
}  // namespace pgopipe
