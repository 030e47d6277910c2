// SPDX-License-Identifier: Apache-2.0
// Turns address samples into an LLVM sample profile (the AutoFDO model clang's
// -fprofile-sample-use reads): body samples per (line offset, discriminator) under the
// inline stack of each leaf address, call-site samples, call targets and head samples from
// the caller -> callee edges of each stack.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/formats/perf/address_samples.hpp"
#include "merger/convert/binaries.hpp"

namespace pgopipe::convert {

class SourceDiff;

struct BuildOptions {
  bool text = false;  // text instead of extbinary output
  // Caller frames add the samples spent below them to their call line (once per sample).
  // Off (default, measured better: inclusive time is not an execution count and made
  // recursive callers look hot): call lines get call targets and their own IP samples.
  bool call_line_samples = false;
  // How the IP samples of a source line's instructions become the line's count: their sum
  // (time spent on the line), the maximum of one instruction, their mean over the line's
  // sampled instructions, or (Blocks) an estimate of how often the line ran: each x86-64
  // basic block's samples per instruction, given to every instruction of the block, and the
  // line's maximum of those. Samples measure time, and a block's time is its count times its
  // length; with Blocks, call targets and head samples are scaled by the same factor as the
  // body (its total over the samples'), so that they stay comparable. Flow fits those block
  // estimates to the function's control flow first (infer_block_counts in block_flow.hpp), so
  // a block's count is what its predecessors send it.
  enum class LineCounts { Sum, Max, Mean, Blocks, Flow } line_counts = LineCounts::Flow;
  // The diff from the profiled source to the source being built: lines move to their new
  // place and samples on lines it changed are dropped (see make_inline_symbolizer).
  const SourceDiff* source_diff = nullptr;
  // Give samples whose frame-pointer stack skipped the leaf's caller back to a call site that
  // plausibly made the call (lost_callers.hpp); false takes the stacks as recorded.
  bool restore_lost_callers = true;
};

// What the conversion did with the samples; all counts are weighted by sample count.
struct ConvertReport {
  perf::InputStats input;
  uint64_t samples = 0;               // samples seen
  uint64_t attributed_samples = 0;    // samples whose leaf landed in a profile body
  uint64_t no_binary_frames = 0;      // frames whose mapping matched no given binary
  uint64_t outside_segment_frames = 0;  // frames whose file offset lies in no PT_LOAD
  uint64_t unsymbolized_frames = 0;   // frames without debug info at their address
  uint64_t unsymbolized_addresses = 0;  // distinct such addresses
  uint64_t changed_by_diff_samples = 0;  // samples whose leaf sits on a line the source diff changed
  uint64_t functions = 0;             // top-level functions in the profile
  uint64_t call_edges = 0;            // caller -> callee frame pairs attributed
  uint64_t lost_caller_samples = 0;   // samples whose stack skipped the leaf's caller (lost_callers.hpp)
  uint64_t restored_caller_samples = 0;  // of those, given back to a call site
  std::map<std::string, uint64_t> unmatched;  // "build id X (file)" -> frames, for the report
  std::vector<std::string> binaries_used;     // paths of the binaries attributed to
  std::string symbolizer_error;               // first symbolizer error, if any
};

// Builds the profile from `samples` with `binaries` and writes it atomically to `out`.
// An empty result (no sample attributed) is a NotFound error explaining where samples went.
Result<ConvertReport> build_sample_profile(const perf::AddressSamples& samples, BinarySet& binaries,
                                           const BuildOptions& options,
                                           const std::filesystem::path& out);

}  // namespace pgopipe::convert
