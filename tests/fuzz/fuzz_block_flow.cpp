// SPDX-License-Identifier: Apache-2.0
// `pgopipe convert --binary` decodes whatever machine code the named binary holds and fits the
// samples' estimates to its control flow. Any bytes must decode into blocks that stay inside the
// code, in address order, naming only blocks of the same code as successors; and profi must fit
// any graph that comes out, with one count per block.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "merger/convert/basic_blocks.hpp"
#include "merger/convert/block_flow.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto decoder = pgopipe::convert::make_x86_64_block_decoder();
  if (!decoder) __builtin_trap();
  constexpr uint64_t kStart = 0x401000;
  const auto blocks = decoder->blocks(kStart, std::span<const uint8_t>(data, size));
  std::vector<uint64_t> estimates(blocks.size());
  uint64_t previous = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (blocks[b].instructions.empty()) __builtin_trap();
    for (uint64_t addr : blocks[b].instructions) {
      if (addr < kStart || addr >= kStart + size || addr <= previous) __builtin_trap();
      previous = addr;
    }
    for (size_t s : blocks[b].successors)
      if (s >= blocks.size()) __builtin_trap();
    // Estimates from the code's own bytes: many blocks get none, some near 2^64.
    const uint8_t byte = data[blocks[b].instructions.front() - kStart];
    estimates[b] = byte < 64 ? 0 : static_cast<uint64_t>(byte) << (byte % 56);
  }
  if (pgopipe::convert::infer_block_counts(blocks, estimates).size() != blocks.size()) __builtin_trap();
  return 0;
}
