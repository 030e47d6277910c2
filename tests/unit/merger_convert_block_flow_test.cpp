// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/block_flow.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "merger/convert/binaries.hpp"
#include "merger/convert/code_map.hpp"

namespace pgopipe::convert {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Blocks with the given successors (instructions do not matter to the flow).
std::vector<BasicBlock> graph(const std::vector<std::vector<size_t>>& successors, std::vector<size_t> indirect = {}) {
  std::vector<BasicBlock> blocks(successors.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    blocks[i].instructions = {0x1000 + i};
    blocks[i].successors = successors[i];
  }
  for (size_t i : indirect) blocks[i].indirect_jump = true;
  return blocks;
}

// entry 0 -> 1 or 2 -> 3
const std::vector<std::vector<size_t>> kDiamond = {{1, 2}, {3}, {3}, {}};

TEST(InferBlockCounts, ConsistentEstimatesStayAsTheyAre) {
  EXPECT_EQ(infer_block_counts(graph(kDiamond), {100, 70, 30, 100}), (std::vector<uint64_t>{100, 70, 30, 100}));
}

TEST(InferBlockCounts, CountsFlowInAndOutOfEveryBlock) {
  // The join has too few samples and the other side of the diamond none: the flow gives the
  // join what both sides send it, and the unsampled side what the entry does not send the other.
  auto c = infer_block_counts(graph(kDiamond), {100, 70, 0, 40});
  ASSERT_EQ(c.size(), 4U);
  EXPECT_GT(c[0], 0U);
  EXPECT_EQ(c[0], c[1] + c[2]);
  EXPECT_EQ(c[3], c[1] + c[2]);
  // A chain's two blocks run equally often, between their two estimates.
  auto chain = infer_block_counts(graph({{1}, {}}), {100, 300});
  EXPECT_EQ(chain[0], chain[1]);
  EXPECT_GE(chain[0], 100U);
  EXPECT_LE(chain[0], 300U);
}

TEST(InferBlockCounts, EstimatesNearTheTopOfTheRangeStillFit) {
  // profi takes 2^50 for an unbounded capacity, and its run time grows with the weights: a merged
  // fleet window or a hostile profile got wrong counts or none for minutes. Such estimates are
  // fitted in coarser units.
  const uint64_t big = uint64_t{1} << 62;
  auto c = infer_block_counts(graph(kDiamond), {big, big / 2, big / 4, big});
  ASSERT_EQ(c.size(), 4U);
  EXPECT_EQ(c[0], c[1] + c[2]);
  EXPECT_EQ(c[3], c[1] + c[2]);
  EXPECT_GE(c[0], big / 2);
  EXPECT_LE(c[0], big);
}

TEST(InferBlockCounts, AnIndirectJumpFeedsTheBlocksNoBranchReaches) {
  // entry 0 -> dispatch 1 (jmp *) -> cases 2, 3 -> return 4
  auto blocks = graph({{1}, {}, {4}, {4}, {}}, {1});
  EXPECT_EQ(infer_block_counts(blocks, {10, 10, 7, 3, 10}), (std::vector<uint64_t>{10, 10, 7, 3, 10}));
  auto c = infer_block_counts(blocks, {20, 20, 7, 3, 20});
  EXPECT_EQ(c[1], c[2] + c[3]);
  EXPECT_EQ(c[4], c[2] + c[3]);
  EXPECT_GT(c[2], c[3]);
  EXPECT_TRUE(infer_block_counts({}, {}).empty());
}

TEST(InferBlockCounts, AFunctionEnteredOnceKeepsItsLoopAndItsEntry) {
  // entry 0 -> loop header 1 <-> body 2; 1 -> return 3. Samples only in the loop: the loop
  // keeps them, and the function is not made to enter and leave thousands of times.
  auto c = infer_block_counts(graph({{1}, {2, 3}, {1}, {}}), {0, 1000, 1000, 0});
  EXPECT_LE(c[0], 1U);
  EXPECT_EQ(c[3], c[0]);
  EXPECT_GE(c[1], 900U);
  EXPECT_GE(c[2], 900U);
}

TEST(InferBlockCounts, AFunctionWithNoWayOutIsStillFitted) {
  // A loop that never returns (a server's main loop): both blocks run as often.
  auto c = infer_block_counts(graph({{1}, {0}}), {5, 9});
  EXPECT_EQ(c[0], c[1]);
  EXPECT_GE(c[0], 5U);
}

// The blocks reachable from `start` along `next`.
std::vector<bool> reachable(size_t start, const std::vector<std::vector<size_t>>& next) {
  std::vector<bool> seen(next.size(), false);
  std::vector<size_t> todo{start};
  seen[start] = true;
  while (!todo.empty()) {
    size_t b = todo.back();
    todo.pop_back();
    for (size_t n : next[b])
      if (!seen[n]) seen[n] = true, todo.push_back(n);
  }
  return seen;
}

TEST(InferBlockCounts, FitsTheFunctionsOfARealBinary) {
  // The blocks of every 20th function of this test program, with made-up estimates: the fit
  // must not fail on real control flow (noreturn calls, unreachable code, switches), and a
  // chain (a block whose only successor has it as its only predecessor), reached from the
  // entry and leading to a return, runs as often at both ends.
  auto binary = open_binary("/proc/self/exe", false);
  ASSERT_TRUE(binary) << binary.error().message;
  auto code = make_code_map(*binary);
  auto decoder = make_x86_64_block_decoder();
  ASSERT_TRUE(code && decoder);
  std::mt19937_64 random(17);
  size_t functions = 0, chains = 0, nth = 0;
  for (const FunctionRange& fn : code->functions()) {
    if (nth++ % 20) continue;
    auto [range, bytes] = code->x86_64_code_at(fn.start);
    if (!range || bytes.empty()) continue;
    auto blocks = decoder->blocks(range->start, bytes);
    std::vector<uint64_t> estimates(blocks.size());
    for (auto& e : estimates) e = random() % 4 == 0 ? 0 : random() % 100000;
    auto counts = infer_block_counts(blocks, estimates);
    ASSERT_EQ(counts.size(), blocks.size()) << fn.name;
    ++functions;
    // Successors and predecessors, with a last node behind every return.
    std::vector<std::vector<size_t>> succ(blocks.size() + 1), pred(blocks.size() + 1);
    for (size_t i = 0; i < blocks.size(); ++i) {
      succ[i] = blocks[i].successors;
      if (succ[i].empty() && !blocks[i].indirect_jump) succ[i].push_back(blocks.size());
      for (size_t s : succ[i]) pred[s].push_back(i);
    }
    auto from_entry = reachable(0, succ), to_return = reachable(blocks.size(), pred);
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (succ[i].size() != 1 || succ[i][0] == i || succ[i][0] == blocks.size()) continue;
      size_t s = succ[i][0];
      if (pred[s].size() != 1 || !from_entry[i] || !to_return[s]) continue;
      EXPECT_EQ(counts[i], counts[s]) << fn.name << " block " << i;
      ++chains;
    }
  }
  EXPECT_GT(functions, 500U);
  // AddressSanitizer's checks branch off before nearly every memory access, which leaves its
  // builds of this binary with hardly any chain; an ordinary build has dozens.
  EXPECT_GT(chains, kAddressSanitizer ? 0U : 50U);
}

}  // namespace
}  // namespace pgopipe::convert
