// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/basic_blocks.hpp"

#include "merger/convert/block_flow.hpp"
#include "merger/convert/code_map.hpp"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstrAnalysis.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MathExtras.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>

namespace pgopipe::convert {
namespace {

constexpr const char* kTriple = "x86_64-unknown-linux-gnu";

// The index of the block with an instruction at `addr`; blocks.size() if none has one.
size_t block_holding(const std::vector<BasicBlock>& blocks, uint64_t addr) {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), addr,
                             [](uint64_t a, const BasicBlock& bb) { return a < bb.instructions.front(); });
  if (it == blocks.begin()) return blocks.size();
  --it;
  return std::binary_search(it->instructions.begin(), it->instructions.end(), addr)
             ? static_cast<size_t>(it - blocks.begin())
             : blocks.size();
}

// kBlockScale x `samples`, rounded, at most 2^63 (a double of 2^64 or more has no uint64 value).
uint64_t scaled(double samples) {
  return static_cast<uint64_t>(std::min(std::round(static_cast<double>(kBlockScale) * samples), 0x1p63));
}

// One decoded instruction, as far as block boundaries and successors need it.
struct Decoded {
  uint64_t address;
  bool ends_block;     // a branch, return or trap: the next instruction starts a block
  bool falls_through;  // control can go on to the next instruction
  bool indirect;       // an indirect jump
  std::optional<uint64_t> target;  // a direct branch's target inside the function
};

// Fills each block's successors and indirect_jump from its last instruction, `last[i]`.
void link_successors(std::vector<BasicBlock>& blocks, const std::vector<const Decoded*>& last) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Decoded& end = *last[i];
    BasicBlock& block = blocks[i];
    block.indirect_jump = end.indirect;
    if (end.target)
      if (size_t t = block_holding(blocks, *end.target); t < blocks.size()) block.successors.push_back(t);
    if (end.falls_through && i + 1 < blocks.size() &&
        std::find(block.successors.begin(), block.successors.end(), i + 1) == block.successors.end())
      block.successors.push_back(i + 1);
  }
}

class X86BlockDecoder final : public BlockDecoder {
 public:
  // Sets up LLVM's MC layer for x86-64; false when a part is missing.
  bool init() {
    static std::once_flag once;
    std::call_once(once, [] {
      LLVMInitializeX86TargetInfo();
      LLVMInitializeX86TargetMC();
      LLVMInitializeX86Disassembler();
    });
    std::string error;
    const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, error);
    if (!target) return false;
    registers_.reset(target->createMCRegInfo(kTriple));
    if (!registers_) return false;
    asm_info_.reset(target->createMCAsmInfo(*registers_, kTriple, llvm::MCTargetOptions()));
    subtarget_.reset(target->createMCSubtargetInfo(kTriple, "", ""));
    instr_info_.reset(target->createMCInstrInfo());
    if (!asm_info_ || !subtarget_ || !instr_info_) return false;
    context_ = std::make_unique<llvm::MCContext>(llvm::Triple(kTriple), asm_info_.get(), registers_.get(),
                                                 subtarget_.get());
    disassembler_.reset(target->createMCDisassembler(*subtarget_, *context_));
    analysis_.reset(target->createMCInstrAnalysis(instr_info_.get()));
    return disassembler_ && analysis_;
  }

  [[nodiscard]] std::vector<BasicBlock> blocks(uint64_t address, std::span<const uint8_t> code) const override {
    std::vector<Decoded> decoded;
    std::vector<uint64_t> leaders{address};
    const llvm::ArrayRef<uint8_t> bytes(code.data(), code.size());
    bool after_gap = false;
    for (uint64_t offset = 0; offset < bytes.size();) {
      const uint64_t at = address + offset;
      llvm::MCInst inst;
      uint64_t size = 0;
      if (disassembler_->getInstruction(inst, size, bytes.slice(offset), at, llvm::nulls()) !=
              llvm::MCDisassembler::Success ||
          size == 0) {
        after_gap = true;
        ++offset;
        continue;
      }
      if (after_gap) leaders.push_back(at);
      after_gap = false;
      const llvm::MCInstrDesc& desc = instr_info_->get(inst.getOpcode());
      const bool ends = desc.isBranch() || desc.isReturn() || desc.isTrap() || desc.isBarrier() ||
                        desc.isTerminator();
      uint64_t target = 0;
      std::optional<uint64_t> inside;
      if (desc.isBranch() && analysis_->evaluateBranch(inst, at, size, target) && target >= address &&
          target < address + bytes.size()) {
        inside = target;
        leaders.push_back(target);
      }
      decoded.push_back({at, ends, !desc.isBarrier() && !desc.isReturn() && !desc.isTrap(),
                         desc.isIndirectBranch(), inside});
      offset += size;
    }
    std::sort(leaders.begin(), leaders.end());
    std::vector<BasicBlock> out;
    std::vector<const Decoded*> last;  // each block's last instruction
    auto leader = leaders.begin();
    bool previous_ends = true;
    for (const Decoded& d : decoded) {
      while (leader != leaders.end() && *leader < d.address) ++leader;
      const bool starts = previous_ends || (leader != leaders.end() && *leader == d.address);
      if (starts || out.empty()) {
        out.emplace_back();
        last.push_back(nullptr);
      }
      out.back().instructions.push_back(d.address);
      last.back() = &d;
      previous_ends = d.ends_block;
    }
    link_successors(out, last);
    return out;
  }

 private:
  std::unique_ptr<llvm::MCRegisterInfo> registers_;
  std::unique_ptr<llvm::MCAsmInfo> asm_info_;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget_;
  std::unique_ptr<llvm::MCInstrInfo> instr_info_;
  std::unique_ptr<llvm::MCContext> context_;
  std::unique_ptr<llvm::MCDisassembler> disassembler_;
  std::unique_ptr<llvm::MCInstrAnalysis> analysis_;
};

}  // namespace

std::map<uint64_t, uint64_t> estimate_executions(const std::map<uint64_t, uint64_t>& samples, const CodeMap* code,
                                                 const BlockDecoder* decoder, bool fit_flow) {
  struct Function {
    std::vector<BasicBlock> blocks;
    std::vector<uint64_t> samples;  // per block
  };
  std::map<uint64_t, Function> functions;  // by start address
  std::map<uint64_t, uint64_t> out;
  for (const auto& [addr, count] : samples) {
    auto [fn, bytes] = code && decoder ? code->x86_64_code_at(addr)
                                       : std::pair<const FunctionRange*, std::span<const uint8_t>>{};
    if (fn) {
      auto [it, inserted] = functions.try_emplace(fn->start);
      if (inserted) {
        it->second.blocks = decoder->blocks(fn->start, bytes);
        it->second.samples.assign(it->second.blocks.size(), 0);
      }
      if (size_t b = block_holding(it->second.blocks, addr); b < it->second.blocks.size()) {
        it->second.samples[b] = llvm::SaturatingAdd(it->second.samples[b], count);
        continue;
      }
    }
    out[addr] = llvm::SaturatingAdd(out[addr], scaled(static_cast<double>(count)));
  }
  for (const auto& [start, fn] : functions) {
    std::vector<uint64_t> estimates(fn.blocks.size());
    for (size_t b = 0; b < fn.blocks.size(); ++b)
      estimates[b] = scaled(static_cast<double>(fn.samples[b]) / static_cast<double>(fn.blocks[b].instructions.size()));
    if (fit_flow) {
      estimates = infer_block_counts(fn.blocks, estimates);
    } else {
      for (size_t b = 0; b < fn.blocks.size(); ++b)
        if (fn.samples[b]) estimates[b] = std::max<uint64_t>(1, estimates[b]);
    }
    for (size_t b = 0; b < fn.blocks.size(); ++b)
      if (estimates[b])
        for (uint64_t addr : fn.blocks[b].instructions) out[addr] = estimates[b];
  }
  return out;
}

std::unique_ptr<BlockDecoder> make_x86_64_block_decoder() {
  auto decoder = std::make_unique<X86BlockDecoder>();
  if (!decoder->init()) return nullptr;
  return decoder;
}

}  // namespace pgopipe::convert
