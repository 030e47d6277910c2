// SPDX-License-Identifier: Apache-2.0
// `pgopipe convert`: CPU samples (pprof with mappings and build IDs, perf.data, perf script)
// into an LLVM sample profile for clang -fprofile-sample-use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "merger/convert/profile_builder.hpp"
#include "merger/weights.hpp"

namespace pgopipe::convert {

struct ConvertOptions {
  std::vector<std::string> inputs;    // pprof (gzipped or not), perf.data, perf script text
  std::vector<std::string> binaries;  // explicit binaries with debug info
  std::string binary_dir;             // directory of binaries laid out by build ID
  std::filesystem::path output;
  bool text = false;                  // text instead of extbinary
  bool allow_profgen = true;          // hand perf.data with branch stacks to llvm-profgen
  bool call_line_samples = false;     // see BuildOptions::call_line_samples
  bool restore_lost_callers = true;   // see BuildOptions::restore_lost_callers
  BuildOptions::LineCounts line_counts = BuildOptions::LineCounts::Flow;  // see BuildOptions
  // A unified diff from the profiled source to the source being built (BuildOptions).
  std::string source_diff;
  // Per-input weights (--weight, --weight-file) and time decay (--half-life: ages from the
  // pprof collection time, inputs without one are not decayed); integer-scaled like merge.
  merge::WeightPolicy weights;
  InputLimits limits;  // what each pprof input may decode to (limits.* in the config)
  // Called after each input is read and once the profile is written: steps done, total steps
  // (inputs + 1), bytes of the inputs read so far.
  std::function<void(size_t, size_t, uint64_t)> progress;
};

struct ConvertResult {
  ConvertReport report;
  bool used_profgen = false;  // branch stacks were present and llvm-profgen converted them
  std::vector<std::string> warnings;  // counted problems worth telling the user
};

// Reads every input, attributes the samples to the binaries and writes the profile
// atomically. Input errors name the file; an empty profile is a NotFound error.
Result<ConvertResult> convert_to_sample_profile(const ConvertOptions& options);

}  // namespace pgopipe::convert
