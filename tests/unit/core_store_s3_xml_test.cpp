// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_xml.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(S3Xml, ParsesAListPageWithContinuation) {
  auto page = store::parse_list_objects_v2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a&amp;b.bin</Key><Size>3</Size></Contents>
<Contents><Key>p/c.bin</Key><Size>4</Size></Contents>
<NextContinuationToken>tok/en+=</NextContinuationToken></ListBucketResult>)");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->keys, (std::vector<std::string>{"p/a&b.bin", "p/c.bin"}));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok/en+=");
}

TEST(S3Xml, LastAndEmptyPages) {
  auto last = store::parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents>"
      "</ListBucketResult>");
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->truncated);
  EXPECT_EQ(last->keys.size(), 1u);
  auto empty = store::parse_list_objects_v2("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->keys.empty());
}

TEST(S3Xml, RejectsOtherDocumentsAndTruncationWithoutToken) {
  EXPECT_FALSE(store::parse_list_objects_v2("<Error><Code>AccessDenied</Code></Error>"));
  EXPECT_FALSE(store::parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
}

TEST(S3Xml, ErrorBodyCodeAndMessageIncludingCdata) {
  auto e = store::parse_s3_error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The bucket &quot;x&quot; "
      "does not exist</Message><BucketName>x</BucketName></Error>");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The bucket \"x\" does not exist");
  auto cdata = store::parse_s3_error("<Error><Code>SignatureDoesNotMatch</Code><Message><![CDATA[a <b> & c]]></Message></Error>");
  EXPECT_EQ(cdata.message, "a <b> & c");
  EXPECT_TRUE(store::parse_s3_error("not xml").code.empty());
}

TEST(S3Xml, UnescapesNumericReferences) {
  EXPECT_EQ(store::xml_unescape("a&#65;&#x42;&lt;&gt;&apos;"), "aAB<>'");
  EXPECT_EQ(store::xml_unescape("&#xE9;"), "\xC3\xA9");
  EXPECT_EQ(store::xml_unescape("& plain &bogus;"), "& plain &bogus;");
}

}  // namespace
}  // namespace pgopipe
