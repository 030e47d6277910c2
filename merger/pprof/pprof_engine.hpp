// SPDX-License-Identifier: Apache-2.0
// The pprof merge engine: folds pprof profiles (gzipped or not) into one, with pprof's own
// merge semantics (compatible sample and period types; functions, mappings and locations
// unified by identity; samples with the same stack and labels summed), scaled by weights.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "merger/engine.hpp"

namespace pgopipe::pprof_merge {

// Creates a pprof engine. `options.output_format` must be Unknown, PprofGzip (default) or
// Pprof (uncompressed); anything else is a Usage error. `absorb` empties the absorbed engine.
Result<std::unique_ptr<merge::MergeEngine>> make_pprof_engine(const merge::MergeOptions& options, merge::WarnFn warn);

// Summarises one pprof profile: sample types, total and per-function flat value of the first
// sample type (leaf frame, inline frames included), function count and build IDs. Inputs
// beyond `limits` are Input errors naming the limit.
Result<merge::ProfileSummary> summarize_pprof(std::string_view name, std::string_view bytes, size_t top,
                                       const InputLimits& limits = {});

// How alike two CPU profiles are, 0..1: the sum over functions (by name) of the smaller of
// their two flat shares (each function's leaf value of the first sample type over the
// profile's total). 1: the same distribution of time; 0: no function in common. Input error
// naming the profile that cannot be read; a profile with no samples has overlap 0.
Result<double> flat_overlap(std::string_view base_name, std::string_view base,
                            std::string_view test_name, std::string_view test, const InputLimits& limits = {});

}  // namespace pgopipe::pprof_merge
