// SPDX-License-Identifier: Apache-2.0
// Where a rebuild's RunReport becomes files: report.json/.md/.html (and the flame graph SVG)
// in the report directory, the same files that get published with the profile.
#pragma once

#include <filesystem>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

// Renders the merged profile's flame graph into report.flamegraph_svg; a profile the
// renderer cannot draw only logs a warning (the report says the graph is unavailable).
Result<void> write_flamegraph(RunReport& report, const std::filesystem::path& profile,
                              const InputLimits& limits = {});

// Writes the report files atomically into `dir` (created if needed); returns their paths.
Result<std::vector<std::filesystem::path>> write_run_reports(const std::filesystem::path& dir,
                                                             const RunReport& report);

}  // namespace pgopipe::rebuild
