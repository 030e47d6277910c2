// SPDX-License-Identifier: Apache-2.0
// Call stacks of LLVM profiles as plain data for flame graphs, so callers need no LLVM
// headers. Sample profiles: each function's body samples as its own value and its inlined
// call sites as children (recursively). Instrumented profiles carry no stacks: one frame per
// function, weighted by the sum of its counters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"

namespace pgopipe::llvm_merge {

struct ProfileStack {
  std::vector<std::string> frames;  // root first
  uint64_t value = 0;
};

// Stacks of an LLVM sample profile (text, binary or extbinary); Input error naming `name`,
// also when inlined call sites nest deeper than `max_depth` levels.
Result<std::vector<ProfileStack>> read_sample_stacks(std::string_view name, std::string_view bytes,
                                                     size_t max_depth = InputLimits{}.max_stack_depth);

// One single-frame stack per function of an LLVM instrumented profile (.profraw or
// .profdata), valued by the sum of its counters over all its records; Input error naming
// `name`.
Result<std::vector<ProfileStack>> read_instr_function_totals(std::string_view name,
                                                             std::string_view bytes);

}  // namespace pgopipe::llvm_merge
