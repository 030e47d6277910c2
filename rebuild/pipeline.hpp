// SPDX-License-Identifier: Apache-2.0
// One `pgopipe rebuild` run: lock, fetch, merge/convert, compare, build, benchmark, gate,
// publish; each stage named, timed and logged, the lock released on every path, and a
// RunReport filled for the report files whatever the outcome.
#pragma once

#include <functional>
#include <optional>

#include "core/result.hpp"
#include "core/store/store.hpp"
#include "rebuild/rebuild_config.hpp"
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

struct RebuildOptions {
  std::optional<Duration> wait;  // wait this long for a busy lock instead of exiting 12
  // Polled before each stage and each benchmark run: true stops the run there (the lock is
  // released, nothing is published), e.g. after SIGTERM from a scheduler.
  std::function<bool()> interrupted;
  // A unified diff from the profiled source to the source being built: a converted window's
  // samples move to their lines' new places, samples on changed lines are dropped (convert
  // --source-diff). Empty: none. Ignored, with a warning, for windows that are not converted.
  std::string source_diff;
};

struct RebuildRun {
  RunReport report;
  std::optional<Error> error;  // set exactly when report.outcome is Failed
};

// Runs the pipeline; never fails itself: a failing stage ends the run as Failed with its error.
RebuildRun run_rebuild(store::Store& store, const RebuildConfig& config, const RebuildOptions& options);

// Process exit code of a run: 0 published, else an ErrorCode's value: Unchanged (10), Gated (11),
// Busy (12), or the failure's.
int rebuild_exit_code(const RebuildRun& run);

}  // namespace pgopipe::rebuild
