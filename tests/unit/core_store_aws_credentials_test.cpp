// SPDX-License-Identifier: Apache-2.0
#include "core/store/aws_credentials.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

constexpr const char* kFile = R"(# comment
[default]
aws_access_key_id = AKIDEFAULT
aws_secret_access_key = secret/default+

[profile ci]
aws_access_key_id=AKICI
aws_secret_access_key=secretci
aws_session_token = tok
)";

TEST(AwsCredentials, EnvironmentWins) {
  auto c = store::load_aws_credentials({{"AWS_ACCESS_KEY_ID", "AKIENV"}, {"AWS_SECRET_ACCESS_KEY", "s"},
                                 {"AWS_SESSION_TOKEN", "t"}, {"HOME", "/nonexistent"}}, "");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIENV");
  EXPECT_EQ(c->session_token, "t");
  EXPECT_EQ(c->source, "environment");
}

TEST(AwsCredentials, HalfAnEnvironmentPairIsAnError) {
  auto c = store::load_aws_credentials({{"AWS_ACCESS_KEY_ID", "AKIENV"}}, "");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(AwsCredentials, ProfilesFromTheSharedFile) {
  auto dflt = store::parse_credentials_file(kFile, "default", "creds");
  ASSERT_TRUE(dflt) << dflt.error().message;
  EXPECT_EQ(dflt->secret_access_key, "secret/default+");
  EXPECT_TRUE(dflt->session_token.empty());
  auto ci = store::parse_credentials_file(kFile, "ci", "creds");
  ASSERT_TRUE(ci) << ci.error().message;
  EXPECT_EQ(ci->access_key_id, "AKICI");
  EXPECT_EQ(ci->session_token, "tok");
  auto missing = store::parse_credentials_file(kFile, "nope", "creds");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("[nope]"), std::string::npos);
}

TEST(AwsCredentials, FileChosenByEnvironmentAndProfileOrder) {
  auto path = std::filesystem::temp_directory_path() / ("pgopipe-creds-" + random_hex(4));
  ASSERT_TRUE(write_file_atomic(path, kFile));
  std::map<std::string, std::string> env{{"AWS_SHARED_CREDENTIALS_FILE", path.string()},
                                         {"AWS_PROFILE", "ci"}};
  EXPECT_EQ(store::load_aws_credentials(env, "")->access_key_id, "AKICI");
  EXPECT_EQ(store::load_aws_credentials(env, "default")->access_key_id, "AKIDEFAULT");  // option wins
  env.erase("AWS_PROFILE");
  EXPECT_EQ(store::load_aws_credentials(env, "")->access_key_id, "AKIDEFAULT");
  std::filesystem::remove(path);
  auto gone = store::load_aws_credentials(env, "");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::Config);
  EXPECT_EQ(gone.error().message.find("secret"), std::string::npos);
}

TEST(AwsCredentials, MessagesNeverContainTheSecret) {
  auto bad = store::parse_credentials_file("[default]\naws_secret_access_key = TOPSECRET\n", "default", "f");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("TOPSECRET"), std::string::npos);
}

}  // namespace
}  // namespace pgopipe
