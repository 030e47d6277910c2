// SPDX-License-Identifier: Apache-2.0
#include "core/redact.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(Redact, BuildArgsAndDefinesWithSecretNames) {
  std::vector<std::string> argv{"docker",  "build", "--build-arg", "NPM_TOKEN=s3cr3t-npm",
                                "--build-arg", "VERSION=1.2", "-DAPI_KEY:STRING=k-123",
                                "--password", "hunter2", "--label=DB_PASSWORD=pw1", "."};
  auto out = redact_argv(argv);
  std::string joined;
  for (const auto& a : out) joined += a + " ";
  for (const char* secret : {"s3cr3t-npm", "k-123", "hunter2", "pw1"}) {
    EXPECT_EQ(joined.find(secret), std::string::npos) << secret << " in " << joined;
  }
  EXPECT_EQ(out[3], "NPM_TOKEN=***");
  EXPECT_EQ(out[5], "VERSION=1.2");  // ordinary values stay readable
  EXPECT_EQ(out[6], "-DAPI_KEY:STRING=***");
  EXPECT_EQ(out[8], "***");
  EXPECT_EQ(out.back(), ".");
}

TEST(Redact, UrlPasswords) {
  EXPECT_EQ(redact_url("http://admin:pa55@svc:6060/debug/pprof/profile?seconds=5"),
            "http://admin:***@svc:6060/debug/pprof/profile?seconds=5");
  EXPECT_EQ(redact_url("http://svc:6060/x"), "http://svc:6060/x");
  EXPECT_EQ(redact_url("http://user@svc/x"), "http://user@svc/x");
  EXPECT_EQ(redact_text("curl failed for https://u:p@h/x: timeout"),
            "curl failed for https://u:***@h/x: timeout");
}

TEST(Redact, FreeTextQuotingACommand) {
  std::string msg = "command failed with exit code 1: docker build --build-arg 'GH_TOKEN=ghp_abc' "
                    "--build-arg MODE=fast .";
  std::string out = redact_text(msg);
  EXPECT_EQ(out.find("ghp_abc"), std::string::npos) << out;
  EXPECT_NE(out.find("GH_TOKEN=***"), std::string::npos) << out;
  EXPECT_NE(out.find("MODE=fast"), std::string::npos) << out;
}

TEST(Redact, ChildEnvironmentDropsCredentials) {
  std::map<std::string, std::string> env{{"PATH", "/usr/bin"},
                                         {"HOME", "/root"},
                                         {"AWS_ACCESS_KEY_ID", "AKIA"},
                                         {"AWS_SECRET_ACCESS_KEY", "secret"},
                                         {"AWS_SESSION_TOKEN", "token"},
                                         {"GITHUB_TOKEN", "ghp"},
                                         {"CC", "clang-19"}};
  auto out = scrubbed_environment(env);
  EXPECT_EQ(out.count("PATH"), 1u);
  EXPECT_EQ(out.count("CC"), 1u);
  EXPECT_EQ(out.count("HOME"), 1u);
  for (const char* gone :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN"}) {
    EXPECT_EQ(out.count(gone), 0u) << gone;
  }
  EXPECT_EQ(scrubbed_environment(env, {"GITHUB_TOKEN"}).count("GITHUB_TOKEN"), 1u);
}

}  // namespace
}  // namespace pgopipe
