// SPDX-License-Identifier: Apache-2.0
#include "rebuild/benchmark.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/process.hpp"
#include "rebuild/gate.hpp"

namespace pgopipe::rebuild {
namespace {

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// CPU time of every child reaped so far (run_process waits for its child, so each run's
// time shows up in the delta around it).
double children_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

Result<double> measure(const BenchmarkOptions& o, const BenchmarkVariant& v) {
  if (o.interrupted && o.interrupted()) {
    return make_error(ErrorCode::Internal, "interrupted by a signal during the benchmark");
  }
  PGO_TRY_ASSIGN(auto argv, substitute(o.command, v.vars));
  double cpu_before = children_cpu_seconds();
  auto wall_before = std::chrono::steady_clock::now();
  auto r = run_process(argv, ProcessOptions{.cwd = o.cwd, .timeout = o.timeout, .env = {}});
  if (!r) return r.error().context(fmt::format("benchmark of the {} build", v.name));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  return o.metric == "wall" ? wall : children_cpu_seconds() - cpu_before;
}

// Paired bootstrap: resample the A/B pairs (run i of both variants ran back to back, so they
// share the machine's state), recompute the median ratio, take the 2.5/97.5 % points.
void bootstrap_interval(BenchmarkResult& r, size_t n) {
  std::mt19937_64 rng(0x5067'6f70'6970'65ULL);  // fixed seed: reproducible intervals
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  constexpr int kResamples = 2000;
  std::vector<double> ratios;
  ratios.reserve(kResamples);
  std::vector<double> a(n), b(n);
  for (int k = 0; k < kResamples; ++k) {
    for (size_t i = 0; i < n; ++i) {
      size_t j = pick(rng);
      a[i] = r.baseline_seconds[j];
      b[i] = r.pgo_seconds[j];
    }
    double mb = median(b);
    if (mb > 0) ratios.push_back(median(a) / mb);
  }
  std::sort(ratios.begin(), ratios.end());
  if (ratios.empty()) return;
  auto at = [&](double q) {
    return ratios[std::min(ratios.size() - 1, static_cast<size_t>(q * static_cast<double>(ratios.size())))];
  };
  r.speedup_low = at(0.025);
  r.speedup_high = at(0.975);
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

Result<std::vector<std::string>> substitute(const std::vector<std::string>& argv,
                                            const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  for (const auto& arg : argv) {
    std::string result;
    size_t i = 0;
    while (i < arg.size()) {
      size_t open = arg.find('{', i);
      if (open == std::string::npos) break;
      size_t close = arg.find('}', open);
      if (close == std::string::npos) break;
      std::string name = arg.substr(open + 1, close - open - 1);
      auto it = vars.find(name);
      if (it == vars.end()) {
        std::string known;
        for (const auto& [k, val] : vars) known += (known.empty() ? "{" : ", {") + k + "}";
        return make_error(ErrorCode::Config, "benchmark.command: unknown placeholder {{{}}} in '{}' (known: {})",
                          name, arg, known);
      }
      result += arg.substr(i, open - i) + it->second;
      i = close + 1;
    }
    out.push_back(result + arg.substr(std::min(i, arg.size())));
  }
  return out;
}

BenchmarkResult summarize_benchmark(std::vector<double> baseline, std::vector<double> pgo,
                                    double max_slowdown) {
  BenchmarkResult r;
  r.baseline_seconds = std::move(baseline);
  r.pgo_seconds = std::move(pgo);
  r.baseline_median = median(r.baseline_seconds);
  r.pgo_median = median(r.pgo_seconds);
  r.speedup = r.pgo_median > 0 ? r.baseline_median / r.pgo_median : 0;
  r.confidence = 0.95;
  // Paired bootstrap: resample the A/B pairs (run i of both variants ran back to back, so
  // they share the machine's state), recompute the median ratio, take the 2.5/97.5 % points.
  const size_t n = std::min(r.baseline_seconds.size(), r.pgo_seconds.size());
  r.speedup_low = r.speedup_high = r.speedup;
  if (n >= 2) bootstrap_interval(r, n);
  GateDecision gate = decide_gate(r.speedup_low, r.speedup_high, max_slowdown);
  r.verdict = std::string(verdict_name(gate.verdict));
  r.decided = n >= 2 && gate.decided;
  return r;
}

Result<BenchmarkResult> run_benchmark(const BenchmarkOptions& o, const BenchmarkVariant& baseline,
                                      const BenchmarkVariant& pgo) {
  std::vector<double> base_times, pgo_times;
  const auto start = std::chrono::steady_clock::now();
  PGO_TRY(measure(o, baseline));  // a warm-up pair: caches, page cache, CPU frequency
  PGO_TRY(measure(o, pgo));
  BenchmarkResult r;
  for (int pair = 1;; ++pair) {
    PGO_TRY_ASSIGN(double b, measure(o, baseline));
    PGO_TRY_ASSIGN(double p, measure(o, pgo));
    base_times.push_back(b);
    pgo_times.push_back(p);
    r = summarize_benchmark(base_times, pgo_times, o.max_slowdown);
    spdlog::info("benchmark pair {}/{}: baseline {:.4f} s, pgo {:.4f} s ({}); speedup {:.3f}x "
                 "[{:.3f}, {:.3f}]", pair, o.max_runs, b, p, o.metric, r.speedup, r.speedup_low,
                 r.speedup_high);
    if (pair < o.min_runs) continue;
    if (r.decided) {
      r.stopped_by = "decided";
    } else if (pair >= o.max_runs) {
      r.stopped_by = "max_runs";
    } else if (std::chrono::steady_clock::now() - start >= o.max_time) {
      r.stopped_by = "max_time";
    } else {
      continue;
    }
    return r;
  }
}

}  // namespace pgopipe::rebuild
