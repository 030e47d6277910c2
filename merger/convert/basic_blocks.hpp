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

// One basic block: the addresses of its instructions, in order.
struct BasicBlock {
  std::vector<uint64_t> instructions;
};

class BlockDecoder {
 public:
  virtual ~BlockDecoder() = default;
  // The basic blocks of the function whose code `code` starts at `address`: a block starts at
  // the function's entry, at every branch target inside the function and after every branch,
  // return or trap; calls do not end a block. Bytes that do not decode end the block before
  // them and are skipped one at a time.
  [[nodiscard]] virtual std::vector<BasicBlock> blocks(uint64_t address, std::span<const uint8_t> code) const = 0;
};

// An x86-64 decoder; nullptr if LLVM's x86 target is not available.
std::unique_ptr<BlockDecoder> make_x86_64_block_decoder();

class CodeMap;

// Execution-count estimates of one binary's code from its IP samples (address -> samples):
// an IP sample lands on a basic block in proportion to its execution count times its length,
// so every instruction of a sampled block gets kBlockScale x the block's samples / its
// instruction count (at least 1). Samples whose function cannot be decoded (no symbol, not
// x86-64, no decoder) keep kBlockScale x their count.
inline constexpr uint64_t kBlockScale = 1000;
std::map<uint64_t, uint64_t> estimate_executions(const std::map<uint64_t, uint64_t>& samples, const CodeMap* code,
                                                 const BlockDecoder* decoder);

}  // namespace pgopipe::convert
