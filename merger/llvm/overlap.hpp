// SPDX-License-Identifier: Apache-2.0
// How similar two profiles of the same kind are, as one score in 0..1 (1: the same shape).
// `pgopipe rebuild` compares a new window with the last published profile with it.
#pragma once

#include <filesystem>

#include "core/result.hpp"

namespace pgopipe::llvm_merge {

// LLVM instrumented (.profdata or .profraw): the program-level "Edge profile overlap" of
// `llvm-profdata overlap` (LLVM's OverlapStats): the sum over functions with matching hashes
// and their counters of min(a_i / A, b_i / B), A and B being each profile's total count.
Result<double> instr_profile_overlap(const std::filesystem::path& base,
                                     const std::filesystem::path& test);

// LLVM sample profiles: the "whole program profile similarity" of `llvm-profdata overlap
// --sample`: per matching function, one minus half the summed |share differences| of its
// blocks (inlinees included), scaled by 1 - |weight difference| and weighted by the mean of
// the function's weights (its share of each profile's samples); unmatched functions add 0.
Result<double> sample_profile_overlap(const std::filesystem::path& base,
                                      const std::filesystem::path& test);

// Dispatches on the detected format of both files; an Input error if they are of different
// kinds or of a kind without an overlap measure.
Result<double> profile_overlap(const std::filesystem::path& base, const std::filesystem::path& test);

}  // namespace pgopipe::llvm_merge
