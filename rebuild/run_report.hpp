// SPDX-License-Identifier: Apache-2.0
// What one `pgopipe rebuild` run found and decided: the data every report format renders.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "merger/engine.hpp"

namespace pgopipe::rebuild {

// How a rebuild run ended; each has its own exit code (see cli/cmd_rebuild.cpp).
enum class RebuildOutcome {
  Published,  // the PGO build passed the gate; profile and report are in <app>/published/
  Unchanged,  // the window's profile matches the published one; nothing was built
  Gated,      // the PGO build was slower than the baseline beyond the threshold; not published
  Busy,       // another run holds the app's lock
  Failed,     // a stage failed; the published profile is untouched
};

std::string_view outcome_name(RebuildOutcome outcome);

struct StageTiming {
  std::string name;         // fetch, merge, convert, compare, build, benchmark, gate, publish
  double seconds = 0;
  std::string status;       // ok, skipped, failed
  std::string detail;       // one line shown next to the stage, e.g. "12 profiles, 3.1 MiB"
};

struct BenchmarkResult {
  std::vector<double> baseline_seconds;  // one per run, in the order they ran (A/B interleaved)
  std::vector<double> pgo_seconds;
  double baseline_median = 0;
  double pgo_median = 0;
  double speedup = 0;        // baseline_median / pgo_median; > 1 means PGO is faster
  double speedup_low = 0;    // confidence interval of the speedup
  double speedup_high = 0;
  double confidence = 0.95;
  std::string verdict;       // "improvement confirmed", "no significant change", "regression"
  bool decided = false;      // the interval settled the gate before the pair or time limit
  std::string stopped_by;    // "decided", "max_runs" or "max_time"
};

struct ProfileMatch {
  uint64_t functions_in_profile = 0;
  uint64_t functions_matched = 0;  // profile functions found in the PGO build
  uint64_t stale_functions = 0;    // compiler-reported mismatched/stale profile records
};

struct RunReport {
  std::string app;
  RebuildOutcome outcome = RebuildOutcome::Failed;
  std::string message;                    // one line: why the run ended as it did
  std::string started_at;                 // RFC 3339
  Window window{};
  size_t profiles_merged = 0;
  size_t profiles_skipped = 0;
  std::string profile_kind;               // e.g. "LLVM instr (IR)", "LLVM sample", "pprof"
  std::string profile_sha256;
  std::optional<double> overlap_with_published;  // 0..1; unset when nothing was published yet
  double unchanged_threshold = 0;                 // overlap >= this means "unchanged"
  std::optional<BenchmarkResult> benchmark;
  double gate_threshold = 0;              // max tolerated slowdown, e.g. 0.02 = 2 %
  std::optional<ProfileMatch> match;
  std::vector<merge::HotFunction> hot_functions;
  std::vector<StageTiming> stages;
  std::string flamegraph_svg;             // self-contained <svg>; empty when unavailable
  std::string published_key;              // store key of the published profile, if published
};

}  // namespace pgopipe::rebuild
