// SPDX-License-Identifier: Apache-2.0
// Merge engine for LLVM sample profiles (text, binary and extbinary inputs), written as
// extbinary by default or as binary/text on request.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "merger/engine.hpp"

namespace pgopipe::llvm_merge {

// Creates a sample-profile engine; Usage error unless options.output_format is Unknown,
// SampleExtBinary, SampleBinary or SampleText. Weights given to add() must be integral (>= 1).
Result<std::unique_ptr<merge::MergeEngine>> make_sample_engine(const merge::MergeOptions& options, merge::WarnFn warn);

// Summarises one sample profile: functions = top-level profiles (contexts for CS profiles),
// total = sum of their total samples, hottest ranked by total samples, build_ids empty (sample
// profiles carry none). Input error naming `name` if malformed.
Result<merge::ProfileSummary> summarize_sample(std::string_view name, std::string_view bytes, size_t top);

}  // namespace pgopipe::llvm_merge
