// SPDX-License-Identifier: Apache-2.0
// Execution counts of one function's basic blocks that agree with its control flow, fitted to
// estimates from IP samples with LLVM's profile inference (profi: the min-cost flow clang runs
// on IR blocks under -fsample-profile-use-profi), here on the machine code's blocks.
#pragma once

#include <cstdint>
#include <vector>

#include "merger/convert/basic_blocks.hpp"

namespace pgopipe::convert {

// Counts for `blocks` (one function, the first block its entry) such that each block's count is
// what flows in and out along its successors, as close to `estimates` (one per block, 0 for a
// block without samples) as profi's costs allow. A block ending in an indirect jump may go to
// any block that no direct branch reaches (its switch's cases); without indirect jumps such
// blocks may be entered from outside (landing pads).
std::vector<uint64_t> infer_block_counts(const std::vector<BasicBlock>& blocks, const std::vector<uint64_t>& estimates);

}  // namespace pgopipe::convert
