// SPDX-License-Identifier: Apache-2.0
#include "core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace pgopipe {
namespace {

TEST(ParallelFor, RunsEveryIndexExactlyOnce) {
  for (int concurrency : {0, 1, 3, 64}) {
    std::vector<std::atomic<int>> runs(257);
    auto r = parallel_for(runs.size(), concurrency, [&](size_t i) {
      runs[i].fetch_add(1);
      return success();
    });
    ASSERT_TRUE(r) << r.error().message;
    for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << i << " at " << concurrency;
  }
  EXPECT_TRUE(parallel_for(0, 4, [](size_t) { return make_error(ErrorCode::Internal, "never called"); }));
}

TEST(ParallelFor, NeverRunsMoreThanConcurrencyAtOnce) {
  std::atomic<int> running{0}, peak{0};
  auto r = parallel_for(24, 3, [&](size_t) {
    int now_running = running.fetch_add(1) + 1;
    int seen = peak.load();
    while (now_running > seen && !peak.compare_exchange_weak(seen, now_running)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    running.fetch_sub(1);
    return success();
  });
  ASSERT_TRUE(r);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // it does run in parallel
}

TEST(ParallelFor, ReturnsTheLowestFailureAndStopsHandingOutWork) {
  std::atomic<size_t> calls{0};
  auto r = parallel_for(1000, 2, [&](size_t i) -> Result<void> {
    calls.fetch_add(1);
    if (i == 5 || i == 6) return make_error(ErrorCode::Input, "item {} failed", i);
    return success();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_EQ(r.error().message, "item 5 failed");
  EXPECT_LT(calls.load(), 1000u);

  auto serial = parallel_for(10, 1, [&](size_t i) -> Result<void> {
    if (i >= 3) return make_error(ErrorCode::Io, "item {} failed", i);
    return success();
  });
  ASSERT_FALSE(serial);
  EXPECT_EQ(serial.error().message, "item 3 failed");
}

}  // namespace
}  // namespace pgopipe
