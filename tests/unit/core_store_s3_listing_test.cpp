// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_listing.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

store::ListPage page(std::vector<std::string> keys, std::string token = "") {
  return store::ListPage{std::move(keys), !token.empty(), std::move(token)};
}

TEST(ListingWalk, FollowsAnHonestListing) {
  store::ListingWalk walk("s/", "s/web/", "listing");
  std::vector<std::string> keys;
  auto t1 = walk.next(page({"s/web/a", "s/web/b"}, "t1"), keys, nullptr);
  ASSERT_TRUE(t1) << t1.error().message;
  EXPECT_EQ(*t1, "t1");
  auto t2 = walk.next(page({"s/web/c"}), keys, nullptr);
  ASSERT_TRUE(t2) << t2.error().message;
  EXPECT_EQ(*t2, "");
  EXPECT_EQ(keys, (std::vector<std::string>{"web/a", "web/b", "web/c"}));
}

TEST(ListingWalk, ARepeatedContinuationTokenIsAnError) {
  store::ListingWalk walk("", "web/", "ListObjectsV2 s3://b/web/");
  std::vector<std::string> keys;
  ASSERT_TRUE(walk.next(page({}, "same"), keys, nullptr));
  auto again = walk.next(page({}, "same"), keys, nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Store);
  EXPECT_NE(again.error().message.find("repeated continuation token"), std::string::npos);
  EXPECT_NE(again.error().message.find("s3://b/web/"), std::string::npos);
}

TEST(ListingWalk, ATruncatedPageWithoutTokenIsAnError) {
  store::ListingWalk walk("", "web/", "listing");
  std::vector<std::string> keys;
  store::ListPage p{{}, true, ""};
  EXPECT_FALSE(walk.next(p, keys, nullptr));
}

TEST(ListingWalk, KeysThatDoNotAdvanceAreAnError) {
  store::ListingWalk walk("", "web/", "listing");
  std::vector<std::string> keys;
  ASSERT_TRUE(walk.next(page({"web/a", "web/b"}, "t1"), keys, nullptr));
  auto again = walk.next(page({"web/a", "web/b"}, "t2"), keys, nullptr);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("does not advance"), std::string::npos);
}

TEST(ListingWalk, StopsAtThePageCap) {
  store::ListingWalk walk("", "web/", "listing", 5);
  std::vector<std::string> keys;
  Result<std::string> token = std::string();
  size_t pages = 0;
  do {
    token = walk.next(page({}, "t" + std::to_string(pages)), keys, nullptr);
    ++pages;
  } while (token && pages < 100);
  ASSERT_FALSE(token);
  EXPECT_EQ(pages, 5u);
  EXPECT_NE(token.error().message.find("more than 5 pages"), std::string::npos);
}

TEST(ListingWalk, KeysOutsideThePrefixOrAgainstTheRulesAreSkippedAsDamaged) {
  store::ListingWalk walk("s/", "s/web/", "listing");
  std::vector<std::string> keys;
  std::vector<store::DamagedObject> damaged;
  auto t = walk.next(page({"other/x", "s/web/../x", "s/web/ok", "s/web/x\x1b"}), keys, &damaged);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(keys, (std::vector<std::string>{"web/ok"}));
  ASSERT_EQ(damaged.size(), 3u);
  EXPECT_EQ(damaged[0].key, "other/x");
  EXPECT_NE(damaged[0].problem.find("outside the requested prefix s/web/"), std::string::npos);
  EXPECT_EQ(damaged[1].key, "s/web/../x");
  EXPECT_EQ(damaged[2].key, "s/web/x\\x1b");
}

}  // namespace
}  // namespace pgopipe
