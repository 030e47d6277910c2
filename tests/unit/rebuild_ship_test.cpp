// SPDX-License-Identifier: Apache-2.0
#include "rebuild/ship.hpp"

#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "core/fs.hpp"

namespace pgopipe::rebuild {
namespace {
namespace fs = std::filesystem;

class ShipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(make_dirs(build_ / "bin", 0700));
    ASSERT_TRUE(write_file_atomic(build_ / "bin" / "app", "the pgo binary"));
    config_.bench_command = {"{build_dir}/bin/app", "--iterations", "3"};
  }
  ScratchDir dir_{"pgopipe-ship-test"};
  fs::path build_ = dir_.path() / "build" / "pgo";
  RebuildConfig config_;
};

TEST_F(ShipTest, TrueMeansTheBenchmarkedProgram) {
  config_.publish_binary = "true";
  auto binary = published_binary(config_, build_);
  ASSERT_TRUE(binary) << binary.error().message;
  EXPECT_EQ(*binary, build_ / "bin" / "app");

  config_.bench_command = {"/usr/bin/time", "{build_dir}/bin/app"};
  auto elsewhere = published_binary(config_, build_);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::Config);
  EXPECT_NE(elsewhere.error().message.find("runs '/usr/bin/time'"), std::string::npos)
      << elsewhere.error().message;
}

TEST_F(ShipTest, APathIsTakenInThePgoBuildAndMustBeAFile) {
  config_.publish_binary = "./bin/../bin/app";
  auto binary = published_binary(config_, build_);
  ASSERT_TRUE(binary) << binary.error().message;
  EXPECT_EQ(*binary, build_ / "bin" / "app");
  for (const char* missing : {"bin/other", "bin"}) {
    config_.publish_binary = missing;
    auto r = published_binary(config_, build_);
    ASSERT_FALSE(r) << missing;
    EXPECT_EQ(r.error().code, ErrorCode::Config);
    EXPECT_NE(r.error().message.find("is not a file in the PGO build"), std::string::npos);
  }
}

TEST_F(ShipTest, ShippingTheBinaryRecordsItsKeyAndDigest) {
  config_.publish_binary = "true";
  BuiltVariant pgo{"pgo", build_, ""};
  PublishedManifest manifest;
  std::vector<std::pair<fs::path, std::string>> uploads;
  ASSERT_TRUE(ship_build(config_, pgo, "svc/published/run1", manifest, uploads));
  EXPECT_EQ(manifest.binary_key, "svc/published/run1/bin/app");
  EXPECT_EQ(manifest.binary_sha256, sha256_hex("the pgo binary"));
  EXPECT_TRUE(manifest.image.empty());
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].first, build_ / "bin" / "app");
  EXPECT_EQ(uploads[0].second, manifest.binary_key);

  // Nothing configured: nothing shipped.
  RebuildConfig plain;
  PublishedManifest untouched;
  std::vector<std::pair<fs::path, std::string>> none;
  ASSERT_TRUE(ship_build(plain, pgo, "svc/published/run2", untouched, none));
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(untouched.binary_key.empty());
}

}  // namespace
}  // namespace pgopipe::rebuild
