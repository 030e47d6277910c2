// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/profile_builder.hpp"

#include <llvm/ProfileData/SampleProf.h>
#include <llvm/ProfileData/SampleProfWriter.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "core/fs.hpp"
#include "merger/convert/basic_blocks.hpp"
#include "merger/convert/code_map.hpp"
#include "merger/convert/lost_callers.hpp"
#include "merger/convert/symbolizer.hpp"

namespace pgopipe::convert {
namespace {

using llvm::sampleprof::FunctionId;
using llvm::sampleprof::FunctionSamples;
using llvm::sampleprof::LineLocation;
using llvm::sampleprof::SampleContext;
using llvm::sampleprof::SampleProfileMap;

FunctionId id_of(std::string_view s) { return FunctionId(llvm::StringRef(s.data(), s.size())); }

// Where one frame of a stack landed.
struct Placed {
  const Binary* binary = nullptr;
  uint64_t vaddr = 0;
};

class Builder {
 public:
  Builder(const perf::AddressSamples& samples, BinarySet& binaries, const BuildOptions& options)
      : samples_(samples), binaries_(binaries), options_(options), symbolizer_(make_inline_symbolizer(options.source_diff)),
        binary_of_mapping_(samples.mappings().size()) {}

  Result<void> run() {
    report_.input = samples_.stats;
    std::vector<Placed> placed;
    for (const perf::StackSample& s : samples_.samples()) {
      report_.samples += s.count;
      auto stack = samples_.stack(s);
      placed.assign(stack.size(), Placed{});
      for (size_t j = 0; j < stack.size(); ++j) {
        PGO_TRY_ASSIGN(placed[j], place(stack[j], j > 0, s.count));
      }
      const bool lost = options_.restore_lost_callers && stack.size() > 1 && lost_caller(placed[0], placed[1]);
      if (placed[0].binary) leaf_counts_[{placed[0].binary, placed[0].vaddr}] += s.count;
      // Recursion puts the same call site on a stack several times: count it once per
      // sample, or recursive callers would look many times hotter than they are.
      for (size_t j = 1; j < stack.size(); ++j) {
        if (j + 1 < stack.size() && placed[j].binary && placed[j + 1].binary)
          lost_callers_.note_nested(site(placed[j + 1]), site(placed[j]));
        if (j == 1 && lost) {
          const std::string_view leaf_function = callee_name(placed[0]);
          report_.lost_caller_samples += s.count;
          add_head_samples(leaf_function, s.count);
          lost_callers_.note_lost(leaf_function, site(placed[1]), s.count);
          continue;
        }
        bool seen = false;
        for (size_t k = 1; k < j && !seen; ++k)
          seen = placed[k].binary == placed[j].binary && placed[k].vaddr == placed[j].vaddr &&
                 placed[k - 1].binary == placed[j - 1].binary;
        if (!seen) add_call(callee_name(placed[j - 1]), placed[j], s.count, true);
      }
    }
    restore_lost_callers();
    add_leaves();
    write_calls();
    zero_fill();
    report_.unsymbolized_addresses = symbolizer_->unsymbolized();
    report_.symbolizer_error = symbolizer_->first_error();
    report_.functions = profiles_.size();
    for (const auto& b : binaries_.binaries()) report_.binaries_used.push_back(b->path);
    return success();
  }

  Result<void> write(const std::filesystem::path& out, bool text) {
    llvm::SmallVector<char, 0> bytes;
    {
      // The extbinary writer patches its section table in place: it needs a pwrite stream.
      std::unique_ptr<llvm::raw_ostream> os = std::make_unique<llvm::raw_svector_ostream>(bytes);
      auto writer = llvm::sampleprof::SampleProfileWriter::create(
          os, text ? llvm::sampleprof::SPF_Text : llvm::sampleprof::SPF_Ext_Binary);
      if (!writer)
        return make_error(ErrorCode::Internal, "cannot create sample profile writer: {}",
                          writer.getError().message());
      if (std::error_code ec = (*writer)->write(profiles_))
        return make_error(ErrorCode::Internal, "cannot encode sample profile {}: {}",
                          out.string(), ec.message());
    }
    return write_file_atomic(out, std::string_view(bytes.data(), bytes.size()));
  }

  ConvertReport& report() { return report_; }

 private:
  // Resolves a frame to (binary, ELF address); return addresses (callers) step back one
  // byte so they land on the call instruction.
  Result<Placed> place(const perf::Frame& f, bool is_return_address, uint64_t count) {
    if (f.mapping == perf::kNoMapping) return Placed{};
    const perf::Mapping& m = samples_.mappings()[f.mapping];
    auto& cached = binary_of_mapping_[f.mapping];
    if (!cached) {
      PGO_TRY_ASSIGN(const Binary* b, binaries_.find(m));
      cached = b;
    }
    if (*cached == nullptr) {
      report_.no_binary_frames += count;
      report_.unmatched[fmt::format("build id {} ({})", m.build_id.empty() ? "none" : m.build_id,
                                    m.file.empty() ? "unnamed mapping" : m.file)] += count;
      return Placed{};
    }
    auto vaddr = (*cached)->vaddr_of_offset(f.address - m.start + m.offset);
    if (!vaddr) {
      report_.outside_segment_frames += count;
      return Placed{};
    }
    return Placed{*cached, *vaddr - (is_return_address && *vaddr > 0 ? 1 : 0)};
  }

  // Walks (creating) the nested profile along an inline stack, adding total samples at
  // each level; returns the innermost function's profile.
  FunctionSamples& walk(std::span<const SourceFrame> frames, uint64_t count) {
    FunctionSamples* fs = &profiles_.create(SampleContext(id_of(frames[0].function)));
    fs->addTotalSamples(count);
    for (size_t k = 1; k < frames.size(); ++k) {
      const SourceFrame& site = frames[k - 1];
      auto& callees = fs->functionSamplesAt(LineLocation(site.line_offset, site.discriminator));
      auto [it, inserted] = callees.try_emplace(id_of(frames[k].function));
      if (inserted) it->second.setFunction(id_of(frames[k].function));
      fs = &it->second;
      fs->addTotalSamples(count);
    }
    return *fs;
  }

  // Gives every line of each sampled function (and of the inlined call sites it already
  // has) an explicit body count, zero where no sample landed, as llvm-profgen does: the
  // sample loader then knows those blocks are cold instead of guessing.
  void zero_fill() {
    for (const auto& b : binaries_.binaries()) {
      CodeMap* map = code_map(*b);
      if (!map) continue;
      for (const auto& fn : map->functions()) {
        std::string_view name = canonical_function_name(fn.name);
        auto it = profiles_.find(SampleContext(id_of(name)));
        if (it == profiles_.end()) continue;
        for (uint64_t addr : map->line_rows(fn.start, fn.end)) {
          auto frames = symbolizer_->frames(*b, addr);
          if (frames.empty() || !all_lines(frames) || frames[0].function != name) continue;
          FunctionSamples* fs = &it->second;
          for (size_t k = 1; fs && k < frames.size(); ++k) {
            const auto* callees = fs->findFunctionSamplesMapAt(
                LineLocation(frames[k - 1].line_offset, frames[k - 1].discriminator));
            auto child = callees ? callees->find(id_of(frames[k].function)) : decltype(callees->end()){};
            fs = callees && child != callees->end() ? const_cast<FunctionSamples*>(&child->second) : nullptr;
          }
          if (fs) fs->addBodySamples(frames.back().line_offset, frames.back().discriminator, 0);
        }
      }
    }
  }

  static bool all_lines(std::span<const SourceFrame> frames) {
    for (const auto& f : frames)
      if (!f.has_line) return false;
    return true;
  }

  using AddressCounts = std::map<std::pair<const Binary*, uint64_t>, uint64_t>;

  // Leaf addresses -> body samples: the addresses of one source line (same inline stack,
  // line offset and discriminator) are grouped and the line gets their sum, max or mean, or
  // with LineCounts::Blocks or Flow the maximum of their blocks' estimates (block_estimates).
  void add_leaves() {
    const bool blocks = options_.line_counts == BuildOptions::LineCounts::Blocks ||
                        options_.line_counts == BuildOptions::LineCounts::Flow;
    uint64_t written = 0;
    for (const auto& [where, count] : leaf_counts_) {
      auto frames = symbolizer_->frames(*where.first, where.second);
      if (frames.empty() && symbolizer_->dropped_by_diff(*where.first, where.second)) {
        report_.changed_by_diff_samples += count;
      } else if (frames.empty() || !all_lines(frames)) {
        report_.unsymbolized_frames += count;
      } else {
        report_.attributed_samples += count;
      }
    }
    struct Line {
      std::span<const SourceFrame> frames;
      uint64_t sum = 0, max = 0, addresses = 0;
    };
    std::map<std::string, Line> lines;  // ordered: deterministic output
    std::string key;
    for (const auto& [where, count] : blocks ? block_estimates() : leaf_counts_) {
      auto frames = symbolizer_->frames(*where.first, where.second);
      if (frames.empty() || !all_lines(frames)) continue;
      key.clear();
      for (const auto& f : frames) key += fmt::format("{}:{}.{}/", f.function, f.line_offset, f.discriminator);
      Line& l = lines[key];
      // The symbolizer's slices move as it grows: keep a copy of this line's frames.
      if (l.addresses == 0) l.frames = copy_frames(frames);
      l.sum += count;
      l.max = std::max(l.max, count);
      ++l.addresses;
    }
    for (const auto& [k, l] : lines) {
      uint64_t n = l.sum;
      if (options_.line_counts == BuildOptions::LineCounts::Max || blocks) n = l.max;
      if (options_.line_counts == BuildOptions::LineCounts::Mean)
        n = std::max<uint64_t>(1, (l.sum + l.addresses / 2) / l.addresses);
      FunctionSamples& fs = walk(l.frames, n);
      fs.addBodySamples(l.frames.back().line_offset, l.frames.back().discriminator, n);
      written += n;
    }
    if (blocks && report_.attributed_samples > 0)
      call_scale_ = static_cast<double>(written) / static_cast<double>(report_.attributed_samples);
  }

  // LineCounts::Blocks and Flow: the leaf samples of each binary as execution-count estimates
  // (estimate_executions in basic_blocks.hpp), fitted to the control flow with Flow.
  AddressCounts block_estimates() {
    if (!decoder_) decoder_ = make_x86_64_block_decoder();
    std::map<const Binary*, std::map<uint64_t, uint64_t>> by_binary;
    for (const auto& [where, count] : leaf_counts_) by_binary[where.first][where.second] = count;
    AddressCounts out;
    for (const auto& [binary, samples] : by_binary) {
      for (const auto& [addr, n] : estimate_executions(samples, code_map(*binary), decoder_.get(),
                                                     options_.line_counts == BuildOptions::LineCounts::Flow))
        out[{binary, addr}] = n;
    }
    return out;
  }

  std::span<const SourceFrame> copy_frames(std::span<const SourceFrame> frames) {
    frame_copies_.emplace_back(frames.begin(), frames.end());
    return frame_copies_.back();
  }

  static LostCallers::Site site(const Placed& p) { return {p.binary, p.vaddr}; }

  // The binary's code map, opened once; nullptr when it cannot be read.
  CodeMap* code_map(const Binary& b) {
    auto& map = code_maps_[&b];
    if (!map) map = make_code_map(b);
    return map.get();
  }

  // The outermost function at a frame, the one a call there entered; empty for code without
  // a line (PLT stubs: not a call target worth naming) and for frames in no binary.
  std::string_view callee_name(const Placed& callee) {
    if (!callee.binary) return {};
    auto cf = symbolizer_->frames(*callee.binary, callee.vaddr);
    return !cf.empty() && cf.front().has_line ? cf.front().function : std::string_view{};
  }

  // Whether the stack lacks the caller of its leaf `leaf`, whose next frame is `next`
  // (caller_skipped in lost_callers.hpp); decided once per pair of addresses.
  bool lost_caller(const Placed& leaf, const Placed& next) {
    if (!leaf.binary) return false;
    auto [it, inserted] = lost_caller_.try_emplace({site(leaf), site(next)}, false);
    if (inserted) {
      const CodeMap* leaf_map = code_map(*leaf.binary);
      const CodeMap* next_map = next.binary ? code_map(*next.binary) : nullptr;
      it->second = leaf_map && caller_skipped(*leaf_map, leaf.vaddr, next_map, next.vaddr + 1);
    }
    return it->second;
  }

  // Head samples and calls wait in pending_heads_ / pending_calls_ until the body is written:
  // LineCounts::Blocks and Flow put the body on another scale, which they follow (write_calls).
  void add_head_samples(std::string_view function, uint64_t count) {
    if (!function.empty()) pending_heads_[function] += count;
  }

  // Lost samples become calls from the site LostCallers finds for them (and that site's
  // function a call from the grandparent), or keep the stack's edge when it finds none.
  void restore_lost_callers() {
    for (const auto& a : lost_callers_.resolve()) {
      add_call(a.callee, Placed{a.site.binary, a.site.vaddr}, a.count, false);
      if (!a.restored) continue;
      report_.restored_caller_samples += a.count;
      std::string_view caller = callee_name(Placed{a.site.binary, a.site.vaddr});
      add_head_samples(caller, a.count);
      add_call(caller, Placed{a.grandparent.binary, a.grandparent.vaddr}, a.count, false);
    }
  }

  // A caller frame: the callee becomes a call target of the call instruction's line (and with
  // call_line_samples the line gets the samples spent below it). `from_stack`: the edge is a
  // stack's own, so it also counts as the callee's head samples and LostCallers learns from it
  // (restored edges did both when noted).
  void add_call(std::string_view callee_name, const Placed& caller, uint64_t count, bool from_stack) {
    if (from_stack) add_head_samples(callee_name, count);
    if (!caller.binary) return;
    pending_calls_[{callee_name, site(caller)}] += count;
    if (!from_stack || callee_name.empty()) return;
    auto frames = symbolizer_->frames(*caller.binary, caller.vaddr);
    if (!frames.empty() && all_lines(frames)) lost_callers_.note_target(site(caller), callee_name, count);
  }

  // Writes the pending head samples and calls, scaled like the body (call_scale_).
  void write_calls() {
    for (const auto& [function, count] : pending_heads_)
      profiles_.create(SampleContext(id_of(function))).addHeadSamples(scaled(count));
    for (const auto& [call, count] : pending_calls_) write_call(call.first, call.second, count);
  }

  [[nodiscard]] uint64_t scaled(uint64_t count) const {
    if (call_scale_ == 1.0 || count == 0) return count;
    return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(static_cast<double>(count) * call_scale_)));
  }

  void write_call(std::string_view callee_name, const LostCallers::Site& caller, uint64_t count) {
    auto frames = symbolizer_->frames(*caller.binary, caller.vaddr);
    if (frames.empty() || !all_lines(frames)) {
      // A call on a line the source diff changed is dropped on purpose, not unattributable.
      if (!(frames.empty() && symbolizer_->dropped_by_diff(*caller.binary, caller.vaddr)))
        report_.unsymbolized_frames += count;  // includes calls the compiler put on line 0
      return;
    }
    const uint64_t n = scaled(count);
    FunctionSamples& fs = walk(frames, options_.call_line_samples ? n : 0);
    const SourceFrame& line = frames.back();
    if (options_.call_line_samples) fs.addBodySamples(line.line_offset, line.discriminator, n);
    if (callee_name.empty()) return;
    fs.addCalledTargetSamples(line.line_offset, line.discriminator, id_of(callee_name), n);
    report_.call_edges += count;
  }

  const perf::AddressSamples& samples_;
  BinarySet& binaries_;
  BuildOptions options_;
  std::unique_ptr<InlineSymbolizer> symbolizer_;  // owns every name the profile points to
  std::vector<std::optional<const Binary*>> binary_of_mapping_;
  SampleProfileMap profiles_;
  ConvertReport report_;
  std::map<std::pair<const Binary*, uint64_t>, uint64_t> leaf_counts_;  // leaf address -> samples
  std::deque<std::vector<SourceFrame>> frame_copies_;                    // stable frame storage
  std::map<const Binary*, std::unique_ptr<CodeMap>> code_maps_;
  std::map<std::pair<LostCallers::Site, LostCallers::Site>, bool> lost_caller_;  // (leaf, next) -> lost_caller
  LostCallers lost_callers_;
  std::map<std::string_view, uint64_t> pending_heads_;  // callee -> head samples, until write_calls
  std::map<std::pair<std::string_view, LostCallers::Site>, uint64_t> pending_calls_;  // (callee, call site) -> samples
  double call_scale_ = 1.0;  // body total over attributed samples (LineCounts::Blocks, Flow), else 1
  std::unique_ptr<BlockDecoder> decoder_;  // LineCounts::Blocks, Flow
};

std::string explain_empty(const ConvertReport& r) {
  std::string why = fmt::format(
      "{} sample(s) read, none attributed: {} frame(s) in mappings of no given binary, {} "
      "outside every mapping, {} in the kernel, {} outside the binary's segments, {} without "
      "debug info",
      r.samples, r.no_binary_frames, r.input.unmapped_frames, r.input.kernel_frames,
      r.outside_segment_frames, r.unsymbolized_frames);
  for (const auto& [what, n] : r.unmatched) why += fmt::format("; {}: {} frame(s)", what, n);
  return why;
}

}  // namespace

Result<ConvertReport> build_sample_profile(const perf::AddressSamples& samples, BinarySet& binaries,
                                           const BuildOptions& options,
                                           const std::filesystem::path& out) {
  Builder builder(samples, binaries, options);
  PGO_TRY(builder.run());
  if (builder.report().attributed_samples == 0)
    return make_error(ErrorCode::NotFound, "empty profile, {} not written: {}", out.string(),
                      explain_empty(builder.report()));
  PGO_TRY(builder.write(out, options.text));
  return std::move(builder.report());
}

}  // namespace pgopipe::convert
