// SPDX-License-Identifier: Apache-2.0
// How much of an LLVM profile matches a binary: the check behind `pgopipe show --against`.
// Production profiles come from an older build; a function whose code changed since must be
// matched or dropped by the compiler, never applied to the wrong code, and this tells the
// user how much of the profile the binary being built can use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::match {

enum class FunctionState {
  Matched,  // same function as profiled (hash, or sampled lines and inline sites)
  Changed,  // in the binary, but its code differs from what the profile describes
  Missing,  // no out-of-line copy in the binary (removed, renamed or inlined everywhere)
};

struct FunctionMatch {
  std::string name;
  uint64_t count = 0;  // the function's weight in the profile (counter sum, or samples)
  FunctionState state = FunctionState::Matched;
  std::string detail;  // why it is not matched
};

struct ProfileMatch {
  std::string method;  // how functions were compared, in a phrase
  uint64_t functions = 0;
  uint64_t matched = 0;
  uint64_t changed = 0;
  uint64_t missing = 0;
  uint64_t total = 0;          // the profile's weight, all functions
  uint64_t matched_total = 0;  // ... of the matched functions
  std::vector<FunctionMatch> mismatched;  // changed and missing functions, heaviest first
};

// Matches an instrumented or sample profile (`bytes`, read from `name`) against the ELF file
// `binary`. Instrumented profiles: by function hash against an instrumented build of the
// source (-fprofile-generate), by name otherwise. Sample profiles: by name, then the sampled
// lines and inline call sites against the binary's DWARF (it needs -g). Input error naming
// the file that cannot be read; Usage error for pprof and perf inputs.
Result<ProfileMatch> match_profile(std::string_view name, std::string_view bytes, const std::string& binary);

std::string_view to_string(FunctionState state);

}  // namespace pgopipe::match
