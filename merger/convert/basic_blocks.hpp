// SPDX-License-Identifier: Apache-2.0
// The basic blocks of a function's machine code, decoded with LLVM's x86-64 disassembler.
// Every instruction of a basic block runs as often as the others, which is what lets IP
// samples (time) be turned into an estimate of how often code ran (see BuildOptions'
// LineCounts::Blocks).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace pgopipe::convert {

// One basic block: the addresses of its instructions, in order, and where control goes after it.
struct BasicBlock {
  std::vector<uint64_t> instructions;
  std::vector<size_t> successors;  // blocks of the same function it branches or falls through to
  bool indirect_jump = false;      // it ends in a jump through a register or memory (a switch)
};

class BlockDecoder {
 public:
  virtual ~BlockDecoder() = default;
  // The basic blocks of the function whose code `code` starts at `address`: a block starts at
  // the function's entry, at every branch target inside the function and after every branch,
  // return or trap; calls do not end a block. Bytes that do not decode end the block before
  // them and are skipped one at a time. Successors are the direct branch targets inside the
  // function and the next block where control can fall through; returns, traps, tail jumps out
  // of the function and indirect jumps have none.
  [[nodiscard]] virtual std::vector<BasicBlock> blocks(uint64_t address, std::span<const uint8_t> code) const = 0;
};

// An x86-64 decoder; nullptr if LLVM's x86 target is not available.
std::unique_ptr<BlockDecoder> make_x86_64_block_decoder();

class CodeMap;

// Execution-count estimates of one binary's code from its IP samples (address -> samples):
// an IP sample lands on a basic block in proportion to its execution count times its length,
// so every instruction of a sampled block gets kBlockScale x the block's samples / its
// instruction count (at least 1). With `fit_flow`, those block estimates (0 for a block without
// samples) are fitted to the function's control flow first (infer_block_counts), and every
// instruction of a block with a count gets it. Samples whose function cannot be decoded (no
// symbol, not x86-64, no decoder) keep kBlockScale x their count.
inline constexpr uint64_t kBlockScale = 1000;
std::map<uint64_t, uint64_t> estimate_executions(const std::map<uint64_t, uint64_t>& samples, const CodeMap* code,
                                                 const BlockDecoder* decoder, bool fit_flow = false);

}  // namespace pgopipe::convert
