// SPDX-License-Identifier: Apache-2.0
// Weighted sample values and per-sample-type totals of decoded pprof tables: what the merge
// engine scales inputs by and how it restores sensible totals after duration normalisation.
#pragma once

#include <cstdint>
#include <vector>

#include "merger/pprof/pprof_tables.hpp"

namespace pgopipe::pprof_merge {

// value * weight rounded, saturated to int64 (llround is undefined beyond it); sets `clamped`.
int64_t scale_value(int64_t value, double weight, bool& clamped);

// The sum of each sample type's values over all samples.
std::vector<double> sample_totals(const Tables& t);

// Adds `more` to `totals` element-wise (growing `totals` as needed).
void add_totals(std::vector<double>& totals, const std::vector<double>& more);

// Scales every value of each sample type k so the type's total becomes `target[k]` (types
// with a zero total on either side are left alone).
void rescale_to_totals(Tables& t, const std::vector<double>& target);

}  // namespace pgopipe::pprof_merge
