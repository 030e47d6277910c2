// SPDX-License-Identifier: Apache-2.0
#include "core/names.hpp"

#include "core/metadata.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(Names, AcceptsOrdinaryNames) {
  EXPECT_TRUE(validate_app("checkout-api"));
  EXPECT_TRUE(validate_app("svc_1.v2"));
  EXPECT_TRUE(validate_label_key("region"));
  EXPECT_TRUE(validate_label_value("region", "eu west 1"));
  EXPECT_TRUE(validate_key("app/2026/01/31/12/x-host-ab.pb.gz"));
}

TEST(Names, RejectsTraversalSeparatorsAndControlCharacters) {
  for (const char* bad : {"..", "../etc", "a/b", ".hidden", "-flag", "a..b", "", "a b"}) {
    EXPECT_FALSE(validate_app(bad)) << bad;
  }
  EXPECT_FALSE(validate_app(std::string("a\0b", 3)));
  EXPECT_FALSE(validate_app("a\nb"));
  EXPECT_FALSE(validate_label_key("k=v"));
  EXPECT_FALSE(validate_label_value("k", "../../x"));
  EXPECT_FALSE(validate_label_value("k", "a/b"));
  EXPECT_FALSE(validate_label_value("k", "a\x01"));
  for (const char* bad : {"/abs", "a//b", "a/../b", "a/./b", "a/b/", "a\\b"}) {
    EXPECT_FALSE(validate_key(bad)) << bad;
  }
}

TEST(Names, LabelValuesMustBeWellFormedUtf8) {
  EXPECT_TRUE(validate_label_value("city", "Z\xc3\xbcrich"));          // U+00FC
  EXPECT_TRUE(validate_label_value("k", "\xe2\x82\xac \xf0\x9f\x98\x80"));  // U+20AC, U+1F600
  for (std::string bad : {"Z\xfcrich", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xff", "\x80"}) {
    auto r = validate_label_value("city", bad);
    ASSERT_FALSE(r) << printable(bad);
    EXPECT_EQ(r.error().code, ErrorCode::Usage);
    EXPECT_NE(r.error().message.find("not valid UTF-8"), std::string::npos) << r.error().message;
  }
  auto kv = parse_label("city=Z\xfcrich");
  ASSERT_FALSE(kv);
  EXPECT_NE(kv.error().message.find("Z\\xfcrich"), std::string::npos) << kv.error().message;
}

TEST(Names, MessagesShowTheOffendingName) {
  auto r = validate_app("../x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("../x"), std::string::npos);
  EXPECT_EQ(r.error().code, ErrorCode::Usage);
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
}

}  // namespace
}  // namespace pgopipe
