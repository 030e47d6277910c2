// SPDX-License-Identifier: Apache-2.0
// One pprof input on its way into the merge engine: inflated and decoded within the input
// limits, weighted by its duration when asked, and checked against what was merged before.
#pragma once

#include <string>
#include <string_view>

#include "merger/engine.hpp"
#include "merger/pprof/pprof_tables.hpp"

namespace pgopipe::pprof_merge {

// Inflates, checks and decodes `bytes` into `out` (strings view into `bytes` or `inflated`,
// which is reused between inputs) and returns the weight to fold it with: `weight` times
// 60 s / its duration under options.normalize_duration. Errors name `name`; a duration below
// 10 ms is warned about and counted as 10 ms. Touches nothing shared, so any thread may call it.
Result<double> prepare_input(std::string_view name, std::string_view bytes, double weight,
                             const merge::MergeOptions& options, const merge::WarnFn& warn,
                             std::string& inflated, Tables& out);

// An Input error naming `name`, `first_merged` and both sets of sample and period types when
// `input`'s differ from `merged`'s; success when they match.
Result<void> check_sample_types(std::string_view name, const Tables& input, const Tables& merged,
                                std::string_view first_merged);

}  // namespace pgopipe::pprof_merge
