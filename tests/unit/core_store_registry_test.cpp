// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "core/fs.hpp"
#include "core/store/store.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

TEST(OpenStore, FileUrlsAndPlainPathsOpenALocalStore) {
  ScratchDir dir("pgopipe-registry-test");
  auto by_url = store::open_store("file://" + (dir.path() / "a").string(), {});
  ASSERT_TRUE(by_url) << by_url.error().message;
  EXPECT_EQ((*by_url)->describe(), "file://" + (dir.path() / "a").string());
  EXPECT_TRUE(fs::is_directory(dir.path() / "a"));

  auto by_path = store::open_store((dir.path() / "b").string(), {});
  ASSERT_TRUE(by_path) << by_path.error().message;
  EXPECT_EQ((*by_path)->describe(), "file://" + (dir.path() / "b").string());
  EXPECT_TRUE(fs::is_directory(dir.path() / "b"));
}

TEST(OpenStore, RefusesEmptyRelativeFileAndUnknownSchemes) {
  auto empty = store::open_store("", {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::Config);
  EXPECT_EQ(empty.error().message, "no store configured");

  for (const char* url : {"file://", "file://relative/dir"}) {
    auto relative = store::open_store(url, {});
    ASSERT_FALSE(relative) << url;
    EXPECT_EQ(relative.error().code, ErrorCode::Config);
    EXPECT_NE(relative.error().message.find("absolute path"), std::string::npos) << relative.error().message;
  }

  auto gcs = store::open_store("gs://bucket/profiles", {});
  ASSERT_FALSE(gcs);
  EXPECT_EQ(gcs.error().code, ErrorCode::Config);
  EXPECT_NE(gcs.error().message.find("unknown scheme 'gs'"), std::string::npos) << gcs.error().message;
}

TEST(OpenStore, S3UrlsGoToTheS3Backend) {
  // The region check is the S3 backend's own, made before any credentials or network.
  store::StoreOptions options;
  options.s3.region = "Not A Region";
  auto s3 = store::open_store("s3://bucket/profiles", options);
  ASSERT_FALSE(s3);
  EXPECT_EQ(s3.error().code, ErrorCode::Config);
  EXPECT_NE(s3.error().message.find("S3 region 'Not A Region'"), std::string::npos) << s3.error().message;
}

}  // namespace
}  // namespace pgopipe
