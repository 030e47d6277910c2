// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/block_flow.hpp"

#include <llvm/Transforms/Utils/SampleProfileInference.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace pgopipe::convert {
namespace {

// The control flow graph profi is given: flow block 0 is an entry in front of the function's
// (which may have predecessors), flow block i + 1 is blocks[i], and the last flow block an exit
// behind every block from which no return or tail jump can be reached (noreturn calls).
// profi needs one entry without predecessors, every block reachable from it, and a way out
// of every block.
class FlowGraph {
 public:
  explicit FlowGraph(const std::vector<BasicBlock>& blocks) : size_(blocks.size() + 2), succ_(size_), pred_(size_) {
    std::vector<size_t> indirect;
    add(0, 1);
    for (size_t i = 0; i < blocks.size(); ++i) {
      for (size_t s : blocks[i].successors) add(i + 1, s + 1);
      if (blocks[i].indirect_jump) indirect.push_back(i + 1);
    }
    // Blocks no direct branch reaches are a switch's cases when the function has an indirect
    // jump, else other ways in (landing pads).
    for (size_t b = 2; b <= blocks.size(); ++b) {
      if (!pred_[b].empty()) continue;
      if (indirect.empty()) add(0, b);
      for (size_t from : indirect) add(from, b);
    }
    const size_t exit = size_ - 1;
    for (size_t b = 1; b <= blocks.size(); ++b)
      if (succ_[b].empty() && !blocks[b - 1].indirect_jump) add(b, exit);
    // Whatever is still cut off gets the synthetic ends, one block at a time (the BFS marks
    // everything a new edge connects).
    std::vector<bool> from_entry(size_, false), to_exit(size_, false);
    mark(0, succ_, from_entry);
    for (size_t b = 1; b < exit; ++b)
      if (!from_entry[b]) {
        add(0, b);
        mark(b, succ_, from_entry);
      }
    mark(exit, pred_, to_exit);
    for (size_t b = exit - 1; b >= 1; --b)
      if (!to_exit[b]) {
        add(b, exit);
        mark(b, pred_, to_exit);
      }
  }

  // profi's input for these edges with the function's estimates (the entry in front takes the
  // entry block's; the exit behind has none).
  llvm::FlowFunction flow_function(const std::vector<uint64_t>& estimates) const {
    llvm::FlowFunction flow;
    flow.Entry = 0;
    flow.Blocks.resize(size_);
    for (size_t i = 0; i < size_; ++i) {
      llvm::FlowBlock& b = flow.Blocks[i];
      b.Index = i;
      b.HasUnknownWeight = i == size_ - 1;
      b.Weight = i == size_ - 1 ? 0 : estimates[i == 0 ? 0 : i - 1];
    }
    flow.Jumps.reserve(edges_.size());
    for (auto [from, to] : edges_) {
      llvm::FlowJump& j = flow.Jumps.emplace_back();
      j.Source = from;
      j.Target = to;
    }
    for (llvm::FlowJump& j : flow.Jumps) {
      flow.Blocks[j.Source].SuccJumps.push_back(&j);
      flow.Blocks[j.Target].PredJumps.push_back(&j);
    }
    return flow;
  }

 private:
  void add(size_t from, size_t to) {
    edges_.emplace_back(from, to);
    succ_[from].push_back(to);
    pred_[to].push_back(from);
  }
  // Marks every block reachable from `start` along `next` (not going past marked ones).
  static void mark(size_t start, const std::vector<std::vector<size_t>>& next, std::vector<bool>& marked) {
    std::vector<size_t> todo{start};
    marked[start] = true;
    while (!todo.empty()) {
      size_t b = todo.back();
      todo.pop_back();
      for (size_t n : next[b])
        if (!marked[n]) {
          marked[n] = true;
          todo.push_back(n);
        }
    }
  }

  size_t size_;
  std::vector<std::vector<size_t>> succ_, pred_;
  std::vector<std::pair<size_t, size_t>> edges_;
};

// The largest weight profi is given: 2^20, a block of 1,000 samples per instruction at
// kBlockScale. Larger estimates (long recordings, merged fleet windows) are fitted in coarser
// units, to one part in a million of the function's hottest block.
constexpr uint64_t kMaxFlowWeight = uint64_t{1} << 20;

}  // namespace

std::vector<uint64_t> infer_block_counts(const std::vector<BasicBlock>& blocks, const std::vector<uint64_t>& estimates) {
  if (blocks.empty()) return {};
  // profi's run time grows with the weights (its augmenting paths can move little flow each),
  // and it takes 2^50 for an unbounded capacity: larger estimates are fitted in coarser units.
  const uint64_t largest = std::ranges::max(estimates);
  const uint64_t unit = largest > kMaxFlowWeight ? largest / kMaxFlowWeight + 1 : 1;
  std::vector<uint64_t> weights(estimates.size());
  for (size_t i = 0; i < estimates.size(); ++i) weights[i] = estimates[i] / unit;
  llvm::FlowFunction flow = FlowGraph(blocks).flow_function(weights);
  // clang's own costs (its -sample-profile-profi-cost-* defaults): measured on the example
  // service, other choices fitted its exact counts no better.
  llvm::applyFlowInference(flow);
  std::vector<uint64_t> counts(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    const uint64_t f = flow.Blocks[i + 1].Flow;
    counts[i] = f > std::numeric_limits<uint64_t>::max() / unit ? std::numeric_limits<uint64_t>::max() : f * unit;
  }
  return counts;
}

}  // namespace pgopipe::convert
