// SPDX-License-Identifier: Apache-2.0
#include "builder/process.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace pgopipe {
namespace {

TEST(RunProcess, SucceedsOnExitZero) { EXPECT_TRUE(run_process({"true"})); }

TEST(RunProcess, FailureQuotesTheCommandAndExitCode) {
  auto r = run_process({"sh", "-c", "exit 3", "it's"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Tool);
  EXPECT_NE(r.error().message.find("exit code 3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("sh -c 'exit 3' 'it'\\''s'"), std::string::npos)
      << r.error().message;
}

TEST(RunProcess, MissingExecutableIsNamed) {
  auto r = run_process({"pgopipe-no-such-tool", "x"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'pgopipe-no-such-tool' not found on PATH"), std::string::npos);
}

TEST(RunProcess, RunsInTheGivenDirectory) {
  auto dir = std::filesystem::temp_directory_path();
  EXPECT_TRUE(run_process({"sh", "-c", "test \"$(pwd -P)\" = \"$1\"", "sh",
                           std::filesystem::canonical(dir).string()},
                          {.cwd = dir}));
}

TEST(QuoteCommand, LeavesPlainWordsAlone) {
  EXPECT_EQ(quote_command({"cmake", "-DPGO=/a/b.profdata", "--build", "x y", ""}),
            "cmake -DPGO=/a/b.profdata --build 'x y' ''");
}

}  // namespace
}  // namespace pgopipe
