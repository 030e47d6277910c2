// SPDX-License-Identifier: Apache-2.0
#include "rebuild/stage_runner.hpp"

#include <gtest/gtest.h>

namespace pgopipe::rebuild {
namespace {

TEST(StageRunner, RecordsOkFailedAndSkippedStagesInOrder) {
  RunReport report;
  StageRunner stage(report, [] { return std::optional<Error>{}; });
  auto ok = stage.run<int>("fetch", [] { return Result<int>(3); }, [](int n) { return fmt::format("{} profiles", n); });
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  stage.skip("convert", "no CPU samples in the window");
  auto failed = stage.run<int>("build", [] { return Result<int>(make_error(ErrorCode::Tool, "cmake failed")); },
                               [](int) { return std::string("never"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::Tool);
  ASSERT_EQ(report.stages.size(), 3u);
  EXPECT_EQ(report.stages[0].name, "fetch");
  EXPECT_EQ(report.stages[0].status, "ok");
  EXPECT_EQ(report.stages[0].detail, "3 profiles");
  EXPECT_EQ(report.stages[1].status, "skipped");
  EXPECT_EQ(report.stages[1].detail, "no CPU samples in the window");
  EXPECT_EQ(report.stages[2].status, "failed");
  EXPECT_EQ(report.stages[2].detail, "cmake failed");
}

TEST(StageRunner, AStopReasonEndsTheRunBeforeTheNextStage) {
  RunReport report;
  bool stop = false;
  StageRunner stage(report, [&] {
    return stop ? std::optional<Error>(Error{ErrorCode::Internal, "interrupted by a signal"}) : std::nullopt;
  });
  int ran = 0;
  auto body = [&] { ++ran; return Result<int>(1); };
  auto detail = [](int) { return std::string("done"); };
  ASSERT_TRUE(stage.run<int>("lock", body, detail));
  stop = true;
  auto second = stage.run<int>("fetch", body, detail);
  ASSERT_FALSE(second);
  EXPECT_EQ(ran, 1);  // the stopped stage never started
  EXPECT_EQ(second.error().message, "interrupted by a signal");
  ASSERT_EQ(report.stages.size(), 2u);
  EXPECT_EQ(report.stages[1].status, "failed");
}

TEST(StageRunner, AStageThatFailsAfterTheLockWasLostEndsAsBusy) {
  RunReport report;
  bool lost = false;
  StageRunner stage(report, [&] {
    return lost ? std::optional<Error>(Error{ErrorCode::Busy, "lost the lock: taken over"}) : std::nullopt;
  });
  // The benchmark notices the lost lock only through its own interruption, which fails it.
  auto benchmark = stage.run<int>("benchmark", [&] {
    lost = true;
    return Result<int>(make_error(ErrorCode::Internal, "benchmark interrupted"));
  }, [](int) { return std::string(); });
  ASSERT_FALSE(benchmark);
  EXPECT_EQ(benchmark.error().code, ErrorCode::Busy);
  EXPECT_EQ(report.stages.back().detail, "benchmark interrupted");  // what the stage itself saw
  // A failure with only an interruption pending keeps its own error.
  RunReport other;
  bool interrupted = false;
  StageRunner signalled(other, [&] {
    return interrupted ? std::optional<Error>(Error{ErrorCode::Internal, "interrupted"}) : std::nullopt;
  });
  auto failed = signalled.run<int>("build", [&] {
    interrupted = true;
    return Result<int>(make_error(ErrorCode::Tool, "cmake failed"));
  }, [](int) { return std::string(); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::Tool);
}

}  // namespace
}  // namespace pgopipe::rebuild
