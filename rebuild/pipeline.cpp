// SPDX-License-Identifier: Apache-2.0
#include "rebuild/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/fs.hpp"
#include "merger/provenance.hpp"
#include "rebuild/benchmark.hpp"
#include "rebuild/lock.hpp"
#include "rebuild/report_output.hpp"
#include "rebuild/ship.hpp"
#include "rebuild/stages.hpp"

namespace pgopipe::rebuild {
namespace {

namespace fs = std::filesystem;

// Runs the stages of one rebuild: times each, logs "stage NAME: DETAIL in S s" and records it
// in the report; once `interrupted` says so, no further stage starts.
struct StageRunner {
  RunReport& report;
  const std::function<bool()>& interrupted;

  template <typename T, typename Fn, typename Detail>
  Result<T> run(const char* name, Fn&& fn, Detail&& detail) {
    if (interrupted && interrupted()) {
      report.stages.push_back({name, 0, "failed", "interrupted by a signal"});
      return make_error(ErrorCode::Internal, "interrupted by a signal before stage {}", name);
    }
    auto start = std::chrono::steady_clock::now();
    Result<T> out = fn();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!out) {
      report.stages.push_back({name, seconds, "failed", out.error().message});
      spdlog::warn("stage {}: failed after {:.1f} s", name, seconds);
      return out;
    }
    std::string text = detail(*out);
    report.stages.push_back({name, seconds, "ok", text});
    spdlog::info("stage {}: {} in {:.1f} s", name, text, seconds);
    return out;
  }
};

std::string mib(uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

std::string percent(double share) { return fmt::format("{:.2f} %", share * 100); }

// Fills the hot functions; returns how many functions the profile has (0 if unreadable).
uint64_t fill_hot_functions(RunReport& report, const CompilerProfile& profile) {
  auto top = profile_top(profile.path, 10);
  if (!top) {
    spdlog::warn("cannot list the hot functions: {}", top.error().message);
    return 0;
  }
  report.hot_functions = top->hottest;
  return top->functions;
}

BenchmarkOptions benchmark_options(const RebuildConfig& config, const RebuildOptions& options) {
  BenchmarkOptions bench;
  bench.command = config.bench_command;
  bench.min_runs = config.min_runs;
  bench.max_runs = config.max_runs;
  bench.max_time = std::chrono::duration_cast<std::chrono::seconds>(config.max_time);
  bench.max_slowdown = config.max_slowdown;
  bench.metric = config.metric;
  bench.cwd = config.bench_cwd;
  bench.interrupted = options.interrupted;
  bench.timeout = config.bench_timeout;
  return bench;
}

// The gate decides on the interval's lower bound (rebuild/gate.hpp, README "pgopipe rebuild"):
// records the gate stage; false (and the Gated outcome) when the build is not published.
bool gate_passes(RunReport& report, const RebuildConfig& config, const BenchmarkResult& result) {
  const double floor = 1.0 - config.max_slowdown;
  const bool gated = result.speedup_low < floor;
  report.stages.push_back({"gate", 0, "ok", fmt::format("{}: speedup {:.3f}x, 95 % interval {:.3f}..{:.3f} "
                                                         "after {} pairs; lower bound {} {:.3f} (max slowdown {})",
                                                         result.verdict, result.speedup, result.speedup_low,
                                                         result.speedup_high, result.baseline_seconds.size(),
                                                         gated ? "<" : ">=", floor, percent(config.max_slowdown))});
  spdlog::info("stage gate: {}", report.stages.back().detail);
  if (gated) {
    report.outcome = RebuildOutcome::Gated;
    report.message = fmt::format("not published ({}): the speedup's 95 % interval {:.3f}..{:.3f} after {} pairs "
                                 "reaches below {:.3f}", result.verdict, result.speedup_low, result.speedup_high,
                                 result.baseline_seconds.size(), floor);
  }
  return !gated;
}

Result<void> run_stages(store::Store& store, const RebuildConfig& config, const RebuildOptions& options,
                        RunReport& report, bool& busy) {
  // A run whose lock was taken over (it stalled past the ttl) stops like an interrupted one.
  const StoreLock* held = nullptr;
  std::function<bool()> stop = [&] {
    if (held && held->lost()) busy = true;
    return busy || (options.interrupted && options.interrupted());
  };
  StageRunner stage{report, stop};
  PGO_TRY_ASSIGN(StoreLock lock, stage.run<StoreLock>("lock", [&] {
    return acquire_lock(store, LockRequest{lock_prefix(config.app), config.lock_ttl, options.wait, {}}, &busy);
  }, [&](const StoreLock& l) { return fmt::format("held {} generation {}", lock_prefix(config.app), l.generation()); }));
  held = &lock;
  // The fence before anything is written: a run that no longer holds the lock ends as busy.
  auto fence = [&]() -> Result<void> {
    auto r = lock.check();
    if (!r) busy = true;
    return r;
  };

  PGO_TRY_ASSIGN(FetchedWindow window, stage.run<FetchedWindow>("fetch", [&] {
    return fetch_window(store, config, now());
  }, [](const FetchedWindow& w) {
    return fmt::format("{} {} profiles ({}){}", w.objects.size(), to_string(w.family), mib(w.bytes),
                       w.damaged.empty() ? "" : fmt::format(", {} damaged skipped", w.damaged.size()));
  }));
  report.window = window.query.window;

  ScratchDir work("pgopipe-rebuild");  // downloads and the merged profile, removed on every path
  bool samples = window.family == ProfileFamily::Pprof || window.family == ProfileFamily::Perf;
  auto describe = [](const CompilerProfile& p) {
    return fmt::format("{} merged, {} skipped -> {} ({})", p.merged, p.skipped, to_string(p.format),
                       p.sha256.substr(0, 12));
  };
  if (samples) report.stages.push_back({"merge", 0, "skipped", "CPU samples are converted"});
  PGO_TRY_ASSIGN(CompilerProfile profile, stage.run<CompilerProfile>(samples ? "convert" : "merge", [&] {
    return samples ? convert_window(store, config, window, work.path())
                   : merge_window(store, config, window, work.path());
  }, describe));
  if (!samples) report.stages.push_back({"convert", 0, "skipped", "no CPU samples in the window"});
  report.profiles_merged = profile.merged;
  report.profiles_skipped = profile.skipped;
  report.profile_kind = std::string(to_string(profile.format));
  report.profile_sha256 = profile.sha256;
  const uint64_t profiled_functions = fill_hot_functions(report, profile);
  PGO_TRY(write_flamegraph(report, profile.path, config.limits));

  PGO_TRY_ASSIGN(Comparison cmp, stage.run<Comparison>("compare", [&] {
    return compare_with_published(store, config, profile, work.path());
  }, [&](const Comparison& c) {
    if (!c.previous) return std::string("nothing published yet");
    return fmt::format("{} with {}{}", c.overlap ? "overlap " + percent(*c.overlap) : "no overlap measure",
                       c.previous->profile_key, c.same_bytes ? " (identical bytes)" : "");
  }));
  report.overlap_with_published = cmp.overlap;
  if (cmp.unchanged) {
    report.outcome = RebuildOutcome::Unchanged;
    report.message = fmt::format("the window's profile matches the published {} ({}): nothing rebuilt",
                                 cmp.previous->profile_key,
                                 cmp.same_bytes ? "same sha256" : "overlap " + percent(*cmp.overlap));
    return lock.release();
  }

  // The build reads the profile from a stable path beside the builds (kept for inspection).
  fs::path build_profile = config.build_dir / fmt::format("pgo-profile{}", extension_of(profile.format).empty()
                                                              ? "" : "." + std::string(extension_of(profile.format)));
  using Variants = std::pair<BuiltVariant, BuiltVariant>;
  PGO_TRY_ASSIGN(Variants built, (stage.run<Variants>("build", [&]() -> Result<Variants> {
    PGO_TRY_ASSIGN(std::string bytes, read_file(profile.path));
    std::error_code ec;
    fs::create_directories(config.build_dir, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", config.build_dir.string(), ec.message());
    PGO_TRY(write_file_atomic(build_profile, bytes));
    PGO_TRY(merge::write_provenance(build_profile, profile.provenance));  // `pgopipe show` tells what it holds
    PGO_TRY_ASSIGN(BuiltVariant base, build_variant(config, "baseline", {}));
    PGO_TRY_ASSIGN(BuiltVariant pgo, build_variant(config, "pgo", build_profile));
    return Variants{base, pgo};
  }, [&](const Variants& v) {
    auto where = [](const BuiltVariant& b) { return b.image.empty() ? b.dir.string() : b.image; };
    return fmt::format("baseline {} and pgo {}", where(v.first), where(v.second));
  })));
  // Matched = profiled functions minus those the compiler reported as out of date.
  const uint64_t stale = built.second.dir.empty() ? 0 : count_stale_functions(built.second.dir);
  report.match = ProfileMatch{profiled_functions, profiled_functions - std::min(profiled_functions, stale), stale};

  BenchmarkOptions bench = benchmark_options(config, options);
  bench.interrupted = stop;
  auto vars = [&](const BuiltVariant& b) {
    BenchmarkVariant v{b.name, {{"variant", b.name}, {"source_dir", config.source_dir.string()}}};
    if (b.image.empty()) {
      v.vars["build_dir"] = b.dir.string();
    } else {
      v.vars["image"] = b.image;
    }
    return v;
  };
  PGO_TRY_ASSIGN(BenchmarkResult result, stage.run<BenchmarkResult>("benchmark", [&] {
    return run_benchmark(bench, vars(built.first), vars(built.second));
  }, [&](const BenchmarkResult& r) {
    return fmt::format("speedup {:.3f}x (95 % CI {:.3f}..{:.3f}; {} median baseline {:.4f} s, pgo {:.4f} s, "
                       "{} pairs, {})", r.speedup, r.speedup_low, r.speedup_high, config.metric,
                       r.baseline_median, r.pgo_median, r.baseline_seconds.size(),
                       r.decided ? "decided" : "undecided at " + r.stopped_by);
  }));
  report.benchmark = result;

  if (!gate_passes(report, config, result)) return lock.release();

  TimePoint at = now();
  PublishedManifest manifest;
  manifest.app = config.app;
  std::string dir_key = published_dir_key(config.app, at, profile.sha256);
  manifest.profile_key = fmt::format("{}/profile.{}", dir_key, extension_of(profile.format));
  manifest.profile_sha256 = profile.sha256;
  manifest.profile_kind = std::string(to_string(profile.kind));
  manifest.window_since = format_rfc3339(report.window.since);
  manifest.window_until = format_rfc3339(report.window.until);
  manifest.profiles_merged = profile.merged;
  manifest.speedup = result.speedup;
  manifest.speedup_low = result.speedup_low;
  manifest.speedup_high = result.speedup_high;
  manifest.published_at = format_rfc3339(at);
  report.outcome = RebuildOutcome::Published;
  report.published_key = manifest.profile_key;
  report.message = fmt::format("published {} ({}: speedup {:.3f}x, 95 % interval {:.3f}..{:.3f}, {} pairs)",
                               manifest.profile_key, result.verdict, result.speedup, result.speedup_low,
                               result.speedup_high, result.baseline_seconds.size());
  PGO_TRY(stage.run<bool>("publish", [&]() -> Result<bool> {
    PGO_TRY(fence());
    PGO_TRY_ASSIGN(auto files, write_run_reports(config.report_dir, report));
    std::vector<std::pair<fs::path, std::string>> uploads;
    for (const auto& f : files) {
      uploads.emplace_back(f, fmt::format("{}/{}", dir_key, f.filename().string()));
      manifest.files.push_back(uploads.back().second);
    }
    PGO_TRY(ship_build(config, built.second, dir_key, manifest, uploads));
    PGO_TRY(publish(store, manifest, profile.path, uploads, fence));
    return true;
  }, [&](bool) { return fmt::format("{} and {}", manifest.profile_key, manifest_key(config.app)); }));
  return lock.release();
}

}  // namespace

RebuildRun run_rebuild(store::Store& store, const RebuildConfig& config, const RebuildOptions& options) {
  RebuildRun run;
  RunReport& report = run.report;
  report.app = config.app;
  report.started_at = format_rfc3339(now());
  report.unchanged_threshold = config.unchanged_above;
  report.gate_threshold = config.max_slowdown;
  bool busy = false;
  auto r = run_stages(store, config, options, report, busy);
  if (!r) {
    if (busy) {
      report.outcome = RebuildOutcome::Busy;
      report.message = r.error().message;
      if (!report.message.starts_with("busy:") && !report.message.starts_with("lost the lock:")) {
        report.message = "lost the lock: another run took it over while this one ran; nothing published";
      }
      return run;  // the running rebuild owns the report directory
    }
    report.outcome = RebuildOutcome::Failed;
    report.message = r.error().message;
    report.published_key.clear();  // a failed publish left the previous manifest current
    run.error = r.error();
  }
  auto written = write_run_reports(config.report_dir, report);
  if (!written) spdlog::warn("could not write the report: {}", written.error().message);
  return run;
}

int rebuild_exit_code(const RebuildRun& run) {
  switch (run.report.outcome) {
    case RebuildOutcome::Published: return 0;
    case RebuildOutcome::Unchanged: return 10;
    case RebuildOutcome::Gated: return 11;
    case RebuildOutcome::Busy: return 12;
    case RebuildOutcome::Failed: break;
  }
  return run.error ? static_cast<int>(run.error->code) : static_cast<int>(ErrorCode::Internal);
}

}  // namespace pgopipe::rebuild
