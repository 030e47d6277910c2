// SPDX-License-Identifier: Apache-2.0
#include "core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace pgopipe {
namespace {

TEST(Logging, UnknownLevelsAreConfigErrors) {
  for (const char* level : {"verbose", "INFO?", ""}) {
    auto r = init_logging(level);
    ASSERT_FALSE(r) << level;
    EXPECT_EQ(r.error().code, ErrorCode::Config);
    EXPECT_NE(r.error().message.find("is not one of trace, debug, info, warn, error, off"), std::string::npos);
  }
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) EXPECT_TRUE(init_logging(level)) << level;
}

TEST(Logging, GoesToStderrAtTheChosenLevelWithControlCharactersEscaped) {
  ASSERT_TRUE(init_logging("info"));
  ::testing::internal::CaptureStderr();
  spdlog::debug("hidden at info");
  spdlog::info("symbol \x1b[31mred\x1b[0m\nnext line");
  spdlog::default_logger()->flush();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("hidden at info"), std::string::npos) << err;
  EXPECT_NE(err.find("info"), std::string::npos) << err;
  EXPECT_NE(err.find("symbol \\x1b[31mred\\x1b[0m\nnext line"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << "raw escape reached the terminal";

  ASSERT_TRUE(init_logging("off"));
  ::testing::internal::CaptureStderr();
  spdlog::error("silenced");
  spdlog::default_logger()->flush();
  EXPECT_EQ(::testing::internal::GetCapturedStderr().find("silenced"), std::string::npos);
}

}  // namespace
}  // namespace pgopipe
