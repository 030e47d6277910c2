// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/basic_blocks.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "merger/convert/code_map.hpp"

namespace pgopipe::convert {
namespace {

using Blocks = std::vector<std::vector<uint64_t>>;

// 1000 push %rbp; 1001 mov %rsp,%rbp; 1004 test %edi,%edi; 1006 je 100d;
// 1008 call 100d; 100d pop %rbp; 100e ret; 100f ud2
const std::vector<uint8_t> kBranchy = {0x55, 0x48, 0x89, 0xe5, 0x85, 0xff, 0x74, 0x05, 0xe8,
                                       0x00, 0x00, 0x00, 0x00, 0x5d, 0xc3, 0x0f, 0x0b};

Blocks decode(uint64_t address, const std::vector<uint8_t>& code) {
  auto decoder = make_x86_64_block_decoder();
  EXPECT_TRUE(decoder);
  Blocks out;
  if (!decoder) return out;
  for (const auto& b : decoder->blocks(address, code)) out.push_back(b.instructions);
  return out;
}

TEST(BasicBlocks, BranchesTargetsAndReturnsStartBlocksCallsDoNot) {
  EXPECT_EQ(decode(0x1000, kBranchy),
            (Blocks{{0x1000, 0x1001, 0x1004, 0x1006}, {0x1008}, {0x100d, 0x100e}, {0x100f}}));
}

TEST(BasicBlocks, SuccessorsAreBranchTargetsAndFallThroughs) {
  auto decoder = make_x86_64_block_decoder();
  ASSERT_TRUE(decoder);
  auto blocks = decoder->blocks(0x1000, kBranchy);
  ASSERT_EQ(blocks.size(), 4U);
  // je 100d: the target, then the next block; the call falls through; ret and ud2 end.
  EXPECT_EQ(blocks[0].successors, (std::vector<size_t>{2, 1}));
  EXPECT_EQ(blocks[1].successors, (std::vector<size_t>{2}));
  EXPECT_TRUE(blocks[2].successors.empty());
  EXPECT_TRUE(blocks[3].successors.empty());
  for (const auto& b : blocks) EXPECT_FALSE(b.indirect_jump);
  // 6000 jmp *%rax; 6002 ret: an indirect jump has no known successor.
  auto indirect = decoder->blocks(0x6000, std::vector<uint8_t>{0xff, 0xe0, 0xc3});
  ASSERT_EQ(indirect.size(), 2U);
  EXPECT_TRUE(indirect[0].indirect_jump);
  EXPECT_TRUE(indirect[0].successors.empty());
}

TEST(BasicBlocks, ABackwardBranchSplitsTheLoopHeadFromTheEntry) {
  // 2000 xor %eax,%eax; 2002 inc %eax; 2004 cmp %edi,%eax; 2006 jl 2002; 2008 ret
  const std::vector<uint8_t> code = {0x31, 0xc0, 0xff, 0xc0, 0x39, 0xf8, 0x7c, 0xfa, 0xc3};
  EXPECT_EQ(decode(0x2000, code), (Blocks{{0x2000}, {0x2002, 0x2004, 0x2006}, {0x2008}}));
}

TEST(BasicBlocks, ATailJumpOutOfTheFunctionEndsItsBlockOnly) {
  // 3000 nop; 3001 jmp 0x9000 (outside); 3006 nop; 3007 ret
  const std::vector<uint8_t> code = {0x90, 0xe9, 0xfa, 0x5f, 0x00, 0x00, 0x90, 0xc3};
  EXPECT_EQ(decode(0x3000, code), (Blocks{{0x3000, 0x3001}, {0x3006, 0x3007}}));
}

TEST(BasicBlocks, BytesThatDoNotDecodeEndTheBlockBeforeThem) {
  // 4000 nop; 4001 0x06 (push %es: invalid in 64-bit mode); 4002 nop; 4003 ret
  const std::vector<uint8_t> code = {0x90, 0x06, 0x90, 0xc3};
  EXPECT_EQ(decode(0x4000, code), (Blocks{{0x4000}, {0x4002, 0x4003}}));
  EXPECT_TRUE(decode(0x5000, {}).empty());
}

// One function, kBranchy at 0x1000.
class OneFunction final : public CodeMap {
 public:
  [[nodiscard]] const std::vector<FunctionRange>& functions() const override { return functions_; }
  std::vector<uint64_t> line_rows(uint64_t, uint64_t) override { return {}; }
  std::pair<const FunctionRange*, std::span<const uint8_t>> x86_64_code_at(uint64_t addr) const override {
    if (addr < 0x1000 || addr >= 0x1000 + kBranchy.size()) return {nullptr, {}};
    return {&functions_[0], kBranchy};
  }

 private:
  std::vector<FunctionRange> functions_{{"f", 0x1000, 0x1000 + kBranchy.size()}};
};

TEST(EstimateExecutions, ABlocksSamplesPerInstructionGoToEachOfItsInstructions) {
  OneFunction code;
  auto decoder = make_x86_64_block_decoder();
  ASSERT_TRUE(decoder);
  // 4 samples in the 4-instruction entry block, 3 on the lone call, 1 in the 2-instruction
  // return block, none in the ud2 block; 2 at an address of no function.
  const std::map<uint64_t, uint64_t> samples = {{0x1001, 4}, {0x1008, 3}, {0x100e, 1}, {0x9000, 2}};
  EXPECT_EQ(estimate_executions(samples, &code, decoder.get()),
            (std::map<uint64_t, uint64_t>{{0x1000, 1000}, {0x1001, 1000}, {0x1004, 1000}, {0x1006, 1000},
                                          {0x1008, 3000}, {0x100d, 500}, {0x100e, 500}, {0x9000, 2000}}));
  // Fitted to the flow: the return block runs as often as the entry (both paths reach it),
  // the call block at most as often; the ud2 block, never reached, gets nothing.
  auto fitted = estimate_executions(samples, &code, decoder.get(), /*fit_flow=*/true);
  EXPECT_GT(fitted[0x1000], 0U);
  EXPECT_EQ(fitted[0x1000], fitted[0x1006]);
  EXPECT_EQ(fitted[0x100d], fitted[0x1000]);
  EXPECT_EQ(fitted[0x100e], fitted[0x1000]);
  EXPECT_LE(fitted[0x1008], fitted[0x1000]);
  EXPECT_FALSE(fitted.contains(0x100f));
  EXPECT_EQ(fitted[0x9000], 2000U);
  // Without a decoder (another architecture) each address keeps its samples, scaled.
  EXPECT_EQ(estimate_executions({{0x1001, 4}}, &code, nullptr), (std::map<uint64_t, uint64_t>{{0x1001, 4000}}));
}

}  // namespace
}  // namespace pgopipe::convert
