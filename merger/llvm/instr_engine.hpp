// SPDX-License-Identifier: Apache-2.0
// Merge engine for LLVM instrumented profiles: raw .profraw (raw version 10, LLVM 19) and
// indexed .profdata inputs, indexed .profdata (index version 12) output. Binary IDs are carried
// through; functions of different builds keep one record per function hash.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "merger/engine.hpp"

namespace pgopipe::llvm_merge {

// Creates an instrumented-profile engine; Usage error unless options.output_format is
// Unknown or LlvmIndexed. Weights given to add() must be integral (>= 1).
Result<std::unique_ptr<merge::MergeEngine>> make_instr_engine(const merge::MergeOptions& options, merge::WarnFn warn);

// Summarises one .profraw/.profdata: functions = records (name, hash), total = sum of all
// counters, hottest ranked by each record's maximum counter (the block count llvm-profdata
// --topn uses), build_ids = the binary IDs in the file. Input error naming `name` if malformed.
Result<merge::ProfileSummary> summarize_instr(std::string_view name, std::string_view bytes, size_t top);

// One function record of an instrumented profile: its PGO name, the structural hash clang
// compares with the function it compiles, and the sum of its counters.
struct InstrFunction {
  std::string name;
  uint64_t hash = 0;
  uint64_t count = 0;
};

// Every function record of an instrumented profile (raw, indexed or text); Input error naming
// `name` if malformed.
Result<std::vector<InstrFunction>> read_instr_functions(std::string_view name, std::string_view bytes);

}  // namespace pgopipe::llvm_merge
