// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_client.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(S3Client, UriEncodingFollowsSigV4) {
  EXPECT_EQ(store::uri_encode("a/b c+d:e~f_g.h-i", true), "a/b%20c%2Bd%3Ae~f_g.h-i");
  EXPECT_EQ(store::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(store::uri_encode("\xC3\xA9", false), "%C3%A9");
}

TEST(S3Client, CanonicalQueryIsSortedAndEncoded) {
  EXPECT_EQ(store::canonical_query({{"prefix", "app/2026/"}, {"list-type", "2"}, {"continuation-token", "a+b="}}),
            "continuation-token=a%2Bb%3D&list-type=2&prefix=app%2F2026%2F");
}

TEST(S3Client, HttpErrorsCarryStatusCodeAndMessage) {
  store::S3Response r{403, {}, "<Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>"};
  Error e = s3_http_error("GET s3://b/k", r);
  EXPECT_EQ(e.code, ErrorCode::Store);
  EXPECT_NE(e.message.find("GET s3://b/k: HTTP 403 SignatureDoesNotMatch: bad sig"), std::string::npos)
      << e.message;
  Error bucket = s3_http_error("x", store::S3Response{404, {}, "<Error><Code>NoSuchBucket</Code></Error>"});
  EXPECT_EQ(bucket.code, ErrorCode::Store);
  EXPECT_EQ(s3_http_error("x", store::S3Response{404, {}, ""}).code, ErrorCode::NotFound);
  EXPECT_NE(s3_http_error("HEAD k", store::S3Response{403, {}, ""}).message.find("access denied"),
            std::string::npos);
}

TEST(S3Client, EndpointMustBeAPlainHttpUrl) {
  store::S3Options o;
  for (const char* bad : {"127.0.0.1:9000", "ftp://h", "http://user:pw@h", "http://h/path", "http://"}) {
    o.endpoint = bad;
    auto c = store::make_s3_client("bucket", o, store::AwsCredentials{"id", "secret", "", "test"});
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::Config);
    EXPECT_EQ(c.error().message.find("secret"), std::string::npos);
  }
  o.endpoint = "https://minio.example:9000/";
  auto ok = store::make_s3_client("bucket", o, store::AwsCredentials{"id", "secret", "", "test"});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)->endpoint(), "https://minio.example:9000");
  o.endpoint.clear();
  o.region = "eu-west-1";
  EXPECT_EQ((*store::make_s3_client("bucket", o, store::AwsCredentials{}))->endpoint(),
            "https://s3.eu-west-1.amazonaws.com");
}

}  // namespace
}  // namespace pgopipe
