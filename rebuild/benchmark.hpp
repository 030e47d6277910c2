// SPDX-License-Identifier: Apache-2.0
// The A/B benchmark of a rebuild: the user's command runs on the baseline and the PGO build
// alternately (a warm-up pair, then measured pairs), and the speedup of the medians comes
// with a bootstrap confidence interval. Pairs are added, between min_runs and max_runs and
// within max_time, until that interval decides the gate (rebuild/gate.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

struct BenchmarkVariant {
  std::string name;                          // "baseline" or "pgo"
  std::map<std::string, std::string> vars;   // placeholder -> value: build_dir, variant, ...
};

struct BenchmarkOptions {
  std::vector<std::string> command;  // argv template with {placeholders}
  int min_runs = 10;                 // measured pairs before the interval may decide
  int max_runs = 60;                 // measured pairs at most
  std::chrono::seconds max_time{900};  // no new pair starts after this (min_runs still run)
  double max_slowdown = 0.02;        // the gate's tolerance the interval is decided against
  std::string metric = "cpu";        // cpu: the child's user+sys time; wall: elapsed time
  std::filesystem::path cwd;
  std::function<bool()> interrupted;  // polled before each run; true stops with an error
  std::optional<Duration> timeout;     // each run; killed with its process group after it
};

// Replaces every {name} in each argument by vars[name]; an unknown placeholder is a Config
// error naming it and the known ones. Arguments are never joined into a shell string.
Result<std::vector<std::string>> substitute(const std::vector<std::string>& argv,
                                            const std::map<std::string, std::string>& vars);

// Runs baseline, pgo, baseline, pgo, ... (the first pair unmeasured) until the speedup's
// interval decides the gate, max_runs pairs ran or max_time passed. A run that exits
// non-zero is a Tool error naming the variant and the command.
Result<BenchmarkResult> run_benchmark(const BenchmarkOptions& options,
                                      const BenchmarkVariant& baseline,
                                      const BenchmarkVariant& pgo);

// Medians, speedup = baseline median / PGO median, its 95 % interval from a paired bootstrap
// of the median ratio (fixed seed, so the same samples give the same interval) and the
// gate's verdict for `max_slowdown`.
BenchmarkResult summarize_benchmark(std::vector<double> baseline, std::vector<double> pgo,
                                    double max_slowdown = 0.02);

// The median of `values` (mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

}  // namespace pgopipe::rebuild
