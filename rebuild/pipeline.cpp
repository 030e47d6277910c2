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
#include "rebuild/stage_runner.hpp"
#include "rebuild/stages.hpp"

namespace pgopipe::rebuild {
namespace {

namespace fs = std::filesystem;

// How a run that did not fail ended: the outcome and the report's one-line message.
struct Ending {
  RebuildOutcome outcome = RebuildOutcome::Failed;
  std::string message;
};

using Variants = std::pair<BuiltVariant, BuiltVariant>;

std::string mib(uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

std::string percent(double share) { return fmt::format("{:.2f} %", share * 100); }

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

// The stages of one rebuild, each a function returning its typed result; `run_stages` lists
// them in order. Each fills its part of the report; the stage runner records the stage list.
class Pipeline {
 public:
  Pipeline(store::Store& store, const RebuildConfig& config, const RebuildOptions& options, RunReport& report)
      : store_(store), config_(config), options_(options), report_(report),
        stage_(report, [this] { return stop_reason(); }) {}

  // Why no further stage may start: the lock was taken over (Busy) or a signal arrived.
  std::optional<Error> stop_reason() const {
    if (lock_ && lock_->lost()) {
      return Error{ErrorCode::Busy, "lost the lock: another run took it over while this one ran; nothing published"};
    }
    if (options_.interrupted && options_.interrupted()) return Error{ErrorCode::Internal, "interrupted by a signal"};
    return std::nullopt;
  }

  Result<StoreLock> take_lock() {
    return stage_.run<StoreLock>("lock", [&] {
      return acquire_lock(store_, LockRequest{lock_prefix(config_.app), config_.lock_ttl, options_.wait, {}});
    }, [&](const StoreLock& l) { return fmt::format("held {} generation {}", lock_prefix(config_.app), l.generation()); });
  }

  void hold(StoreLock& lock) { lock_ = &lock; }

  Result<FetchedWindow> fetch() {
    PGO_TRY_ASSIGN(FetchedWindow window, stage_.run<FetchedWindow>("fetch", [&] {
      return fetch_window(store_, config_, now());
    }, [](const FetchedWindow& w) {
      return fmt::format("{} {} profiles ({}){}", w.objects.size(), to_string(w.family), mib(w.bytes),
                         w.damaged.empty() ? "" : fmt::format(", {} damaged skipped", w.damaged.size()));
    }));
    report_.window = window.query.window;
    return window;
  }

  // Merges instrumented or sample windows; converts CPU samples (pprof, perf).
  Result<CompilerProfile> make_profile(const FetchedWindow& window) {
    const bool go = takes_pprof(config_);  // go build -pgo reads the merged pprof itself
    const bool samples = !go && (window.family == ProfileFamily::Pprof || window.family == ProfileFamily::Perf);
    if (samples) stage_.skip("merge", "CPU samples are converted");
    if (!samples && !options_.source_diff.empty()) {
      spdlog::warn("--source-diff {} is not applied: the window holds {} profiles, which are not converted",
                   options_.source_diff, to_string(window.family));
    }
    PGO_TRY_ASSIGN(CompilerProfile profile, stage_.run<CompilerProfile>(samples ? "convert" : "merge", [&] {
      return samples ? convert_window(store_, config_, window, options_.source_diff, work_.path())
                     : merge_window(store_, config_, window, work_.path());
    }, [](const CompilerProfile& p) {
      return fmt::format("{} merged, {} skipped -> {} ({})", p.merged, p.skipped, to_string(p.format),
                         p.sha256.substr(0, 12));
    }));
    if (!samples) stage_.skip("convert", go ? "go build -pgo reads pprof" : "no CPU samples in the window");
    report_.profiles_merged = profile.merged;
    report_.profiles_skipped = profile.skipped;
    report_.profile_kind = std::string(to_string(profile.format));
    report_.profile_sha256 = profile.sha256;
    fill_hot_functions(profile);
    PGO_TRY(write_flamegraph(report_, profile.path, config_.limits));
    return profile;
  }

  Result<Comparison> compare(const CompilerProfile& profile) {
    PGO_TRY_ASSIGN(Comparison cmp, stage_.run<Comparison>("compare", [&] {
      return compare_with_published(store_, config_, profile, work_.path());
    }, [](const Comparison& c) {
      if (!c.previous) return std::string("nothing published yet");
      return fmt::format("{} with {}{}", c.overlap ? "overlap " + percent(*c.overlap) : "no overlap measure",
                         c.previous->profile_key, c.same_bytes ? " (identical bytes)" : "");
    }));
    report_.overlap_with_published = cmp.overlap;
    return cmp;
  }

  // Builds the baseline and the PGO variant; the profile is copied to a stable path beside
  // the builds (kept for inspection, with its provenance for `pgopipe show`).
  Result<Variants> build(const CompilerProfile& profile) {
    const std::string_view ext = extension_of(profile.format);
    const fs::path build_profile = config_.build_dir / fmt::format("pgo-profile{}{}", ext.empty() ? "" : ".", ext);
    PGO_TRY_ASSIGN(Variants built, (stage_.run<Variants>("build", [&]() -> Result<Variants> {
      PGO_TRY_ASSIGN(std::string bytes, read_file(profile.path));
      std::error_code ec;
      fs::create_directories(config_.build_dir, ec);
      if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", config_.build_dir.string(), ec.message());
      PGO_TRY(write_file_atomic(build_profile, bytes));
      PGO_TRY(merge::write_provenance(build_profile, profile.provenance));
      PGO_TRY_ASSIGN(BuiltVariant base, build_variant(config_, "baseline", {}));
      PGO_TRY_ASSIGN(BuiltVariant pgo, build_variant(config_, "pgo", build_profile));
      return Variants{base, pgo};
    }, [](const Variants& v) {
      auto where = [](const BuiltVariant& b) { return b.image.empty() ? b.dir.string() : b.image; };
      return fmt::format("baseline {} and pgo {}", where(v.first), where(v.second));
    })));
    // Matched = profiled functions minus those the compiler reported as out of date.
    const uint64_t stale = built.second.dir.empty() ? 0 : count_stale_functions(built.second.dir);
    report_.match = ProfileMatch{profiled_functions_, profiled_functions_ - std::min(profiled_functions_, stale), stale};
    return built;
  }

  Result<BenchmarkResult> benchmark(const Variants& built) {
    BenchmarkOptions bench = benchmark_options(config_, options_);
    bench.interrupted = [this] { return stop_reason().has_value(); };
    PGO_TRY_ASSIGN(BenchmarkResult result, stage_.run<BenchmarkResult>("benchmark", [&] {
      return run_benchmark(bench, variant_vars(built.first), variant_vars(built.second));
    }, [&](const BenchmarkResult& r) {
      return fmt::format("speedup {:.3f}x (95 % CI {:.3f}..{:.3f}; {} median baseline {:.4f} s, pgo {:.4f} s, "
                         "{} pairs, {})", r.speedup, r.speedup_low, r.speedup_high, config_.metric,
                         r.baseline_median, r.pgo_median, r.baseline_seconds.size(),
                         r.decided ? "decided" : "undecided at " + r.stopped_by);
    }));
    report_.benchmark = result;
    return result;
  }

  // The gate decides on the interval's lower bound (rebuild/gate.hpp, README "pgopipe rebuild"):
  // the Gated ending when the build is not published, nullopt when it is.
  Result<std::optional<Ending>> gate(const BenchmarkResult& result) {
    const double floor = 1.0 - config_.max_slowdown;
    const bool gated = result.speedup_low < floor;
    PGO_TRY(stage_.run<bool>("gate", [&]() -> Result<bool> { return gated; }, [&](bool) {
      return fmt::format("{}: speedup {:.3f}x, 95 % interval {:.3f}..{:.3f} after {} pairs; lower bound {} {:.3f} "
                         "(max slowdown {})", result.verdict, result.speedup, result.speedup_low,
                         result.speedup_high, result.baseline_seconds.size(), gated ? "<" : ">=", floor,
                         percent(config_.max_slowdown));
    }));
    if (!gated) return std::optional<Ending>{};
    return std::optional<Ending>{Ending{
        RebuildOutcome::Gated,
        fmt::format("not published ({}): the speedup's 95 % interval {:.3f}..{:.3f} after {} pairs reaches below "
                    "{:.3f}", result.verdict, result.speedup_low, result.speedup_high,
                    result.baseline_seconds.size(), floor)}};
  }

  // Writes the reports, ships the build and publishes the profile with its manifest last,
  // each write fenced by the lock.
  Result<Ending> publish(StoreLock& lock, const CompilerProfile& profile, const Variants& built,
                         const BenchmarkResult& result) {
    const TimePoint at = now();
    PublishedManifest manifest = manifest_for(profile, result, at);
    const std::string dir_key = published_dir_key(config_.app, at, profile.sha256);
    manifest.profile_key = fmt::format("{}/profile.{}", dir_key, extension_of(profile.format));
    Ending ending{RebuildOutcome::Published,
                  fmt::format("published {} ({}: speedup {:.3f}x, 95 % interval {:.3f}..{:.3f}, {} pairs)",
                              manifest.profile_key, result.verdict, result.speedup, result.speedup_low,
                              result.speedup_high, result.baseline_seconds.size())};
    // The uploaded report says how the run ends.
    report_.outcome = ending.outcome;
    report_.message = ending.message;
    report_.published_key = manifest.profile_key;
    auto fence = [&] { return lock.check(); };
    PGO_TRY(stage_.run<bool>("publish", [&]() -> Result<bool> {
      PGO_TRY(fence());
      PGO_TRY_ASSIGN(auto files, write_run_reports(config_.report_dir, report_));
      std::vector<std::pair<fs::path, std::string>> uploads;
      for (const auto& f : files) {
        uploads.emplace_back(f, fmt::format("{}/{}", dir_key, f.filename().string()));
        manifest.files.push_back(uploads.back().second);
      }
      PGO_TRY(ship_build(config_, built.second, dir_key, manifest, uploads));
      PGO_TRY(rebuild::publish(store_, manifest, profile.path, uploads, fence));
      return true;
    }, [&](bool) { return fmt::format("{} and {}", manifest.profile_key, manifest_key(config_.app)); }));
    return ending;
  }

 private:
  // Lists the profile's hottest functions in the report and remembers how many it profiles.
  void fill_hot_functions(const CompilerProfile& profile) {
    auto top = profile_top(profile.path, 10);
    if (!top) {
      spdlog::warn("cannot list the hot functions: {}", top.error().message);
      return;
    }
    report_.hot_functions = top->hottest;
    profiled_functions_ = top->functions;
  }

  BenchmarkVariant variant_vars(const BuiltVariant& b) const {
    BenchmarkVariant v{b.name, {{"variant", b.name}, {"source_dir", config_.source_dir.string()}}};
    if (b.image.empty()) {
      v.vars["build_dir"] = b.dir.string();
      if (!b.binary.empty()) v.vars["binary"] = b.binary.string();
    } else {
      v.vars["image"] = b.image;
    }
    return v;
  }

  PublishedManifest manifest_for(const CompilerProfile& profile, const BenchmarkResult& result, TimePoint at) const {
    PublishedManifest m;
    m.app = config_.app;
    m.profile_sha256 = profile.sha256;
    m.profile_kind = std::string(to_string(profile.kind));
    m.window_since = format_rfc3339(report_.window.since);
    m.window_until = format_rfc3339(report_.window.until);
    m.profiles_merged = profile.merged;
    m.speedup = result.speedup;
    m.speedup_low = result.speedup_low;
    m.speedup_high = result.speedup_high;
    m.published_at = format_rfc3339(at);
    return m;
  }

  store::Store& store_;
  const RebuildConfig& config_;
  const RebuildOptions& options_;
  RunReport& report_;
  StageRunner stage_;
  const StoreLock* lock_ = nullptr;
  ScratchDir work_{"pgopipe-rebuild"};  // downloads and the merged profile, removed on every path
  uint64_t profiled_functions_ = 0;
};

// Ends a run that did not fail: releases the lock and returns its ending.
Result<Ending> finish(StoreLock& lock, Ending ending) {
  PGO_TRY(lock.release());
  return ending;
}

Result<Ending> run_stages(Pipeline& p) {
  PGO_TRY_ASSIGN(StoreLock lock, p.take_lock());
  p.hold(lock);
  PGO_TRY_ASSIGN(FetchedWindow window, p.fetch());
  PGO_TRY_ASSIGN(CompilerProfile profile, p.make_profile(window));
  PGO_TRY_ASSIGN(Comparison cmp, p.compare(profile));
  if (cmp.unchanged) {
    return finish(lock, {RebuildOutcome::Unchanged,
                         fmt::format("the window's profile matches the published {} ({}): nothing rebuilt",
                                     cmp.previous->profile_key,
                                     cmp.same_bytes ? "same sha256" : "overlap " + percent(*cmp.overlap))});
  }
  PGO_TRY_ASSIGN(Variants built, p.build(profile));
  PGO_TRY_ASSIGN(BenchmarkResult result, p.benchmark(built));
  PGO_TRY_ASSIGN(std::optional<Ending> gated, p.gate(result));
  if (gated) return finish(lock, *gated);
  PGO_TRY_ASSIGN(Ending published, p.publish(lock, profile, built, result));
  return finish(lock, std::move(published));
}

}  // namespace

RebuildRun run_rebuild(store::Store& store, const RebuildConfig& config, const RebuildOptions& options) {
  RebuildRun run;
  RunReport& report = run.report;
  report.app = config.app;
  report.started_at = format_rfc3339(now());
  report.unchanged_threshold = config.unchanged_above;
  report.gate_threshold = config.max_slowdown;
  Result<Ending> ended = [&] {
    Pipeline pipeline(store, config, options, report);
    return run_stages(pipeline);
  }();
  if (ended) {
    report.outcome = ended->outcome;
    report.message = ended->message;
  } else if (ended.error().code == ErrorCode::Busy) {
    report.outcome = RebuildOutcome::Busy;
    report.message = ended.error().message;
    report.published_key.clear();
    return run;  // the running rebuild owns the report directory
  } else {
    report.outcome = RebuildOutcome::Failed;
    report.message = ended.error().message;
    report.published_key.clear();  // a failed publish left the previous manifest current
    run.error = ended.error();
  }
  auto written = write_run_reports(config.report_dir, report);
  if (!written) spdlog::warn("could not write the report: {}", written.error().message);
  return run;
}

int rebuild_exit_code(const RebuildRun& run) {
  switch (run.report.outcome) {
    case RebuildOutcome::Published: return 0;
    case RebuildOutcome::Unchanged: return static_cast<int>(ErrorCode::Unchanged);
    case RebuildOutcome::Gated: return static_cast<int>(ErrorCode::Gated);
    case RebuildOutcome::Busy: return static_cast<int>(ErrorCode::Busy);
    case RebuildOutcome::Failed: break;
  }
  return run.error ? static_cast<int>(run.error->code) : static_cast<int>(ErrorCode::Internal);
}

}  // namespace pgopipe::rebuild
