// SPDX-License-Identifier: Apache-2.0
#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

fs::path write_config(const std::string& text) {
  static ScratchDir dir("pgopipe-config-test");
  fs::path p = dir.path() / "pgopipe.yaml";
  std::ofstream(p) << text;
  return p;
}

TEST(Config, PrecedenceFlagOverEnvOverFileOverDefault) {
  auto file = write_config("store: /from/file\napp: file-app\nconcurrency: 3\ns3:\n  region: eu-west-1\n");
  ConfigSources s;
  s.file = file;
  s.env = {{"PGOPIPE_APP", "env-app"}, {"AWS_REGION", "us-west-2"}};
  s.overrides = {{"app", "flag-app", flag_origin("app")}};
  auto c = load_config(s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->store.value, "/from/file");
  EXPECT_EQ(c->store.origin, file.string() + ":1");
  EXPECT_EQ(c->app.value, "flag-app");
  EXPECT_EQ(c->app.origin, "flag --app");
  EXPECT_EQ(c->s3_region.value, "us-west-2");
  EXPECT_EQ(c->s3_region.origin, "environment AWS_REGION");
  EXPECT_EQ(c->concurrency.value, 3);
  EXPECT_EQ(c->log_level.value, "info");
  EXPECT_TRUE(c->s3_tls_verify.value);
  fs::remove(file);
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  auto file = write_config("store: /x\ns3:\n  endpiont: http://x\n");
  ConfigSources s;
  s.file = file;
  auto c = load_config(s);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::Config);
  EXPECT_NE(c.error().message.find(file.string() + ":3"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("s3.endpiont"), std::string::npos);
  fs::remove(file);
}

TEST(Config, WrongTypeAndBadValueAreErrors) {
  for (const auto& [text, needle] : std::vector<std::pair<std::string, std::string>>{
           {"concurrency: many\n", ":1"},
           {"concurrency: 0\n", "concurrency"},
           {"s3:\n  path_style: maybe\n", ":2"},
           {"store: [a, b]\n", "list"},
           {"s3: 5\n", "mapping"},
           {"log_level: loud\n", "log_level"},
           {"s3:\n  endpoint: ftp://x\n", "s3.endpoint"},
           // A region is part of the host name: "x@host/" would send signed requests elsewhere.
           {"s3:\n  region: x@evil.example/\n", "s3.region"},
           {"s3:\n  region: EU-West-1\n", "s3.region"},
           {"store.file_mode: 0777\n", "store.file_mode"},
           {"store.file_mode: 0400\n", "store.file_mode"},
           {"store: [unclosed\n", "invalid YAML"}}) {
    auto file = write_config(text);
    ConfigSources s;
    s.file = file;
    auto c = load_config(s);
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(needle), std::string::npos) << c.error().message;
    fs::remove(file);
  }
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  ConfigSources s;
  s.env = {{"PGOPIPE_CONCURRENCY", "-1"}};
  auto c = load_config(s);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("environment PGOPIPE_CONCURRENCY"), std::string::npos);
}

TEST(Config, ListPageSizeReachesTheS3Options) {
  ConfigSources s;
  s.env["PGOPIPE_S3_LIST_PAGE_SIZE"] = "3";
  auto c = load_config(s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->store_options().s3.list_page_size, 3);
  s.env["PGOPIPE_S3_LIST_PAGE_SIZE"] = "5000";  // S3 returns at most 1000 keys per page
  auto bad = load_config(s);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("PGOPIPE_S3_LIST_PAGE_SIZE"), std::string::npos)
      << bad.error().message;
}

TEST(Config, InputLimitsFromFileEnvironmentAndTheirDefaults) {
  ConfigSources s;
  auto defaults = load_config(s);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->limits.value.max_samples, InputLimits{}.max_samples);
  s.file = write_config("limits:\n  max_samples: 50\n  max_stack_depth: 64\n");
  s.env["PGOPIPE_LIMITS_MAX_STRINGS"] = "7";
  auto c = load_config(s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->limits.value.max_samples, 50u);
  EXPECT_EQ(c->limits.value.max_stack_depth, 64u);
  EXPECT_EQ(c->limits.value.max_strings, 7u);
  EXPECT_EQ(c->limits.value.max_functions, InputLimits{}.max_functions);
  s.env["PGOPIPE_LIMITS_MAX_STRINGS"] = "0";
  auto bad = load_config(s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Config);
  EXPECT_NE(bad.error().message.find("limits.max_strings"), std::string::npos) << bad.error().message;
  s.env.clear();
  s.file = write_config("limits:\n  max_sample: 5\n");
  auto unknown = load_config(s);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("limits.max_sample"), std::string::npos);
  fs::remove(*s.file);
}

TEST(Config, StoreFileModeDefaultsTo0600AndReachesTheStoreOptions) {
  ConfigSources s;
  auto c = load_config(s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->store_options().file_mode, 0600u);
  s.env = {{"PGOPIPE_STORE_FILE_MODE", "0640"}};
  c = load_config(s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->store_options().file_mode, 0640u);
}

TEST(Config, RegionFromTheEnvironmentIsValidatedToo) {
  ConfigSources s;
  s.env = {{"AWS_REGION", "us-east-1.attacker.example:443/x"}};
  auto c = load_config(s);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("AWS_REGION"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace pgopipe
