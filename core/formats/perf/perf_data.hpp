// SPDX-License-Identifier: Apache-2.0
// perf.data files, read by running perf itself (`perf buildid-list`, `perf script`,
// `perf evlist`) and parsing its output with the perf script reader.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/formats/perf/address_samples.hpp"
#include "core/result.hpp"

namespace pgopipe::perf {

// Runs `perf script` and `perf buildid-list` on a perf.data file and parses the samples.
Result<void> read_perf_data(const std::string& path, AddressSamples& out);

// The build IDs `perf buildid-list` names for a perf.data file: (hex ID, file path) pairs,
// kernel and vdso entries included.
Result<std::vector<std::pair<std::string, std::string>>> perf_data_build_ids(const std::string& path);

// True if the perf.data file's samples carry branch stacks (LBR).
Result<bool> perf_data_has_branch_stacks(const std::string& path);

}  // namespace pgopipe::perf
