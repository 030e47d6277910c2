// SPDX-License-Identifier: Apache-2.0
#include "rebuild/stages.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <fstream>

#include "builder/cmake_build.hpp"
#include "builder/docker_build.hpp"
#include "builder/go_build.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"
#include "merger/convert/convert.hpp"
#include "merger/driver.hpp"
#include "merger/compact.hpp"
#include "merger/window.hpp"
#include "merger/engine.hpp"
#include "merger/llvm/overlap.hpp"
#include "merger/pprof/pprof_engine.hpp"

namespace pgopipe::rebuild {
namespace {

namespace fs = std::filesystem;

void warn_input(const std::string& input, const std::string& message) {
  spdlog::warn("{}: {}", input, message);
}

// The flat-share overlap of two pprof files (merger/pprof: sum of min shares per function).
Result<double> pprof_overlap(const fs::path& base, const fs::path& test, const InputLimits& limits) {
  PGO_TRY_ASSIGN(std::string a, read_file(base));
  PGO_TRY_ASSIGN(std::string b, read_file(test));
  return pprof_merge::flat_overlap(base.string(), a, test.string(), b, limits);
}

Result<CompilerProfile> finish(CompilerProfile p) {
  PGO_TRY_ASSIGN(std::string bytes, read_file(p.path));
  p.sha256 = sha256_hex(bytes);
  p.format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  p.kind = family_of(p.format);
  return p;
}

// Merges the fetched window into `output` (half-life weights, failure mode warn), with its
// provenance beside it.
Result<merge::MergedWindow> merge_fetched(store::Store& store, const RebuildConfig& config, const FetchedWindow& w,
                                   const fs::path& output) {
  merge::MergeRequest req;
  req.family = w.family;
  req.failure_mode = merge::FailureMode::Warn;  // one bad upload must not stop the nightly rebuild
  req.weights.half_life = config.half_life;
  req.jobs = 2;
  req.options.normalize_duration = true;
  req.options.limits = config.limits;
  req.output = output;
  std::string weighting = fmt::format("half-life {}, normalize duration",
                                      config.half_life ? format_duration(*config.half_life) : "none");
  return merge::merge_store_window(store, w.query, w.objects, std::move(req), weighting, warn_input);
}

}  // namespace

Result<FetchedWindow> fetch_window(store::Store& store, const RebuildConfig& config, TimePoint reference) {
  FetchedWindow w;
  w.query.app = config.app;
  PGO_TRY_ASSIGN(w.query.window, parse_window(config.since, config.until, reference));
  w.query.build_id = config.build_id;
  w.query.labels = config.labels;
  w.query.family = takes_pprof(config) ? ProfileFamily::Pprof : config.kind;
  w.query.day_rollups = !config.half_life;  // decay error: 2^(30 min/half-life) over hour rollups
  if (config.compact) {
    merge::CompactRequest compact{config.app, w.query.window, config.limits, 2};
    PGO_TRY_ASSIGN(merge::CompactReport done, merge::compact(store, compact));
    spdlog::info("compacted {} raw profile(s) into {} hour, {} quarter and {} day rollup(s) before the fetch",
                 done.raw_profiles, done.hour_generations, done.quarter_generations, done.day_generations);
  }
  PGO_TRY_ASSIGN(auto all, merge::list_window(store, w.query, &w.damaged));
  if (!w.damaged.empty()) {
    spdlog::warn("{} damaged object(s) in the window skipped (list them with pgopipe ls --check)",
                 w.damaged.size());
  }
  for (ProfileFamily f : {ProfileFamily::Instr, ProfileFamily::Sample, ProfileFamily::Pprof,
                          ProfileFamily::Perf}) {
    for (const auto& o : all) {
      if (o.meta.family() == f) w.objects.push_back(o);
    }
    if (!w.objects.empty()) {
      w.family = f;
      break;
    }
  }
  if (w.objects.size() < all.size()) {
    spdlog::warn("the window also holds {} profile(s) of other kinds; using the {} {} profile(s)",
                 all.size() - w.objects.size(), w.objects.size(), to_string(w.family));
  }
  for (const auto& o : w.objects) w.bytes += o.meta.size;
  return w;
}

Result<CompilerProfile> merge_window(store::Store& store, const RebuildConfig& config, const FetchedWindow& w,
                                     const fs::path& work) {
  const char* name = w.family == ProfileFamily::Instr    ? "merged.profdata"
                     : w.family == ProfileFamily::Pprof ? "merged.pb.gz"
                                                        : "merged.sample";
  fs::path output = work / name;
  PGO_TRY_ASSIGN(merge::MergedWindow merged, merge_fetched(store, config, w, output));
  if (takes_pprof(config)) PGO_TRY(build::check_go_profile(output, config.limits));
  return finish({output, w.family, ProfileFormat::Unknown, merged.report.merged,
                 merged.report.skipped.size(), "", merged.provenance});
}

Result<CompilerProfile> convert_window(store::Store& store, const RebuildConfig& config, const FetchedWindow& w,
                                       const std::string& source_diff, const fs::path& work) {
  if (config.binary_dir.empty()) {
    return make_error(ErrorCode::Config,
                      "{}: the window holds {} CPU samples: set window.binary_dir (binaries by build "
                      "ID) to convert them",
                      config.file.string(), to_string(w.family));
  }
  convert::ConvertOptions options;
  options.binary_dir = config.binary_dir.string();
  options.output = work / "converted.sample";
  options.limits = config.limits;
  options.source_diff = source_diff;
  size_t merged = 0, skipped = 0;
  merge::Provenance provenance{store.describe(), config.app, w.query.window, std::nullopt, std::nullopt, 0, 0,
                        "converted from CPU samples"};
  if (w.family == ProfileFamily::Pprof) {
    PGO_TRY_ASSIGN(merge::MergedWindow m, merge_fetched(store, config, w, work / "merged.pb.gz"));
    merged = m.report.merged;
    skipped = m.report.skipped.size();
    provenance = m.provenance;
    options.inputs.push_back((work / "merged.pb.gz").string());
  } else {
    for (size_t i = 0; i < w.objects.size(); ++i) {
      PGO_TRY_ASSIGN(store::Blob blob, store.get(w.objects[i].key));
      fs::path file = work / fmt::format("perf-{}.data", i);
      PGO_TRY(write_file_atomic(file, blob.bytes));
      options.inputs.push_back(file.string());
    }
    merged = w.objects.size();
    provenance.merged = merged;
  }
  if (!source_diff.empty()) provenance.weighting += fmt::format(", lines moved by {}", source_diff);
  PGO_TRY_ASSIGN(auto result, convert::convert_to_sample_profile(options));
  for (const auto& warning : result.warnings) spdlog::warn("convert: {}", warning);
  spdlog::info("convert: {} of {} samples attributed, {} functions",
               result.report.attributed_samples, result.report.samples, result.report.functions);
  return finish({options.output, ProfileFamily::Sample, ProfileFormat::Unknown, merged, skipped, "", provenance});
}

Result<Comparison> compare_with_published(store::Store& store, const RebuildConfig& config,
                                          const CompilerProfile& profile, const fs::path& work) {
  Comparison c;
  PGO_TRY_ASSIGN(c.previous, read_manifest(store, config.app));
  if (!c.previous) return c;
  c.same_bytes = c.previous->profile_sha256 == profile.sha256;
  auto bytes = fetch_published_profile(store, *c.previous);
  if (!bytes) {
    // A damaged or missing published profile must not block a fresh publish.
    spdlog::warn("cannot compare with the published profile: {}", bytes.error().message);
    return c;
  }
  fs::path previous = work / "published.profile";
  PGO_TRY(write_file_atomic(previous, *bytes));
  auto overlap = profile.kind == ProfileFamily::Pprof ? pprof_overlap(previous, profile.path, config.limits)
                                                      : llvm_merge::profile_overlap(previous, profile.path);
  if (overlap) {
    c.overlap = *overlap;
  } else {
    spdlog::warn("cannot compare with the published profile: {}", overlap.error().message);
  }
  c.unchanged = c.same_bytes || (c.overlap && *c.overlap >= config.unchanged_above);
  return c;
}

Result<BuiltVariant> build_variant(const RebuildConfig& config, const std::string& variant,
                                   const fs::path& profile) {
  if (config.build_kind == "go") {
    build::GoBuildOptions g;
    g.source_dir = config.source_dir;
    g.profile = profile;
    g.output = config.build_dir / variant / config.app;
    g.packages = {config.go_package};
    g.go_args = config.build_args;
    g.jobs = config.jobs;
    g.go = config.go;
    g.timeout = config.build_timeout;
    g.limits = config.limits;
    auto r = build::build_with_go(g);
    if (!r) return r.error().context(fmt::format("{} go build of {}", variant, g.output.string()));
    return BuiltVariant{variant, config.build_dir / variant, "", g.output};
  }
  if (config.build_kind == "docker") {
    build::DockerBuildOptions d{config.source_dir, config.dockerfile, config.image + ":" + variant, profile,
                         config.build_args, config.docker, config.build_timeout};
    auto r = build::build_with_docker(d);
    if (!r) return r.error().context(fmt::format("{} image {}", variant, d.tag));
    return BuiltVariant{variant, {}, d.tag};
  }
  build::CmakeBuildOptions o;
  o.source_dir = config.source_dir;
  o.build_dir = config.build_dir / variant;
  o.cmake_args = config.build_args;
  o.jobs = config.jobs;
  o.timeout = config.build_timeout;
  if (profile.empty()) {
    o.pgo = "off";
  } else {
    o.profile = profile;
  }
  auto r = build::build_with_cmake(o);
  if (!r) return r.error().context(fmt::format("{} build in {}", variant, o.build_dir.string()));
  return BuiltVariant{variant, o.build_dir, ""};
}

Result<merge::ProfileSummary> profile_top(const fs::path& profile, size_t top) {
  PGO_TRY_ASSIGN(std::string bytes, read_file(profile));
  return merge::summarize_profile(profile.string(), bytes, top);
}

uint64_t count_stale_functions(const fs::path& build_dir) {
  uint64_t stale = 0;
  std::error_code ec;
  fs::path targets = build_dir / "pgo" / "targets";
  if (!fs::is_directory(targets, ec)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(targets, ec)) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path());
    std::string line;
    std::getline(in, line);  // "<stale>;<missing>;<object>"
    uint64_t n = 0;
    std::from_chars(line.data(), line.data() + line.size(), n);
    stale += n;
  }
  return stale;
}

}  // namespace pgopipe::rebuild
