// SPDX-License-Identifier: Apache-2.0
// How much each input counts in a merge: explicit per-input weights, time decay by age,
// (duration normalisation of pprof inputs is done by the pprof engine, which reads each
// profile's own duration).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::merge {

struct WeightPolicy {
  std::map<std::string, double> explicit_weights;  // input name -> weight (> 0)
  std::optional<Duration> half_life;               // decay: 2^(-age / half_life)
  TimePoint window_end{};                          // ages are measured from here
};

// What the policy needs to know about one input.
struct WeightInput {
  std::string name;
  std::optional<TimePoint> collected_at;  // unknown for plain files
  Duration duration{0};                   // 0 if unknown
};

struct WeightPlan {
  std::vector<double> weights;     // per input, > 0
  std::vector<std::string> notes;  // inputs whose integer weight was raised to 1
};

// Parses "FILE=N" (N a positive number) into the policy's explicit weights.
Result<void> add_weight_argument(WeightPolicy& policy, const std::string& argument);

// Reads a weight list file: one "N FILE" or "FILE=N" per line, '#' comments.
Result<void> add_weight_file(WeightPolicy& policy, const std::string& path);

// Computes each input's weight: explicit weight x time decay. Errors if an
// explicit weight names no input.
Result<WeightPlan> plan_weights(const WeightPolicy& policy, const std::vector<WeightInput>& inputs);

// Turns real weights into integers for formats that need them (LLVM): when all are already
// integral they are kept; otherwise they are scaled so the heaviest becomes `resolution`, and
// any that would round to 0 become 1 with a note naming the input (never silently zero).
WeightPlan to_integer_weights(const WeightPlan& plan, const std::vector<WeightInput>& inputs,
                              double resolution = 1000);

}  // namespace pgopipe::merge
