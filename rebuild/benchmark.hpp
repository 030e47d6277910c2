// SPDX-License-Identifier: Apache-2.0
// The A/B benchmark of a rebuild: the user's command runs on the baseline and the PGO build
// alternately (a warm-up pair, then `runs` measured pairs), and the speedup of the medians
// comes with a bootstrap confidence interval.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "report/run_report.hpp"

namespace pgopipe {

struct BenchmarkVariant {
  std::string name;                          // "baseline" or "pgo"
  std::map<std::string, std::string> vars;   // placeholder -> value: build_dir, variant, ...
};

struct BenchmarkOptions {
  std::vector<std::string> command;  // argv template with {placeholders}
  int runs = 10;                     // measured pairs
  std::string metric = "cpu";        // cpu: the child's user+sys time; wall: elapsed time
  std::filesystem::path cwd;
  std::function<bool()> interrupted;  // polled before each run; true stops with an error
  std::optional<Duration> timeout;     // each run; killed with its process group after it
};

// Replaces every {name} in each argument by vars[name]; an unknown placeholder is a Config
// error naming it and the known ones. Arguments are never joined into a shell string.
Result<std::vector<std::string>> substitute(const std::vector<std::string>& argv,
                                            const std::map<std::string, std::string>& vars);

// Runs baseline, pgo, baseline, pgo, ... (the first pair unmeasured). A run that exits
// non-zero is a Tool error naming the variant and the command.
Result<BenchmarkResult> run_benchmark(const BenchmarkOptions& options,
                                      const BenchmarkVariant& baseline,
                                      const BenchmarkVariant& pgo);

// Medians, speedup = baseline median / PGO median, and its 95 % interval from a paired
// bootstrap of the median ratio (fixed seed, so the same samples give the same interval).
BenchmarkResult summarize_benchmark(std::vector<double> baseline, std::vector<double> pgo);

// The median of `values` (mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

}  // namespace pgopipe
