// SPDX-License-Identifier: Apache-2.0
// pgo.yaml: what one `pgopipe rebuild` run fetches, builds, benchmarks and publishes. The
// whole file is validated before anything runs; every error names file:line and the key.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::rebuild {

struct RebuildConfig {
  std::filesystem::path file;  // the pgo.yaml that was read; relative paths resolve beside it
  std::string app;
  std::string app_origin;                             // "pgo.yaml:1"
  std::string store;                                  // empty: pgopipe's configured store
  std::string store_origin;                           // "pgo.yaml:2"
  std::map<std::string, std::pair<std::string, std::string>> s3;  // core key -> value, origin

  // window
  std::string since = "24h";
  std::string until;                   // empty: now
  std::string window_origin;           // "pgo.yaml:3" of the window section, for messages
  std::optional<Duration> half_life;
  Labels labels;
  std::string build_id;
  std::optional<ProfileFamily> kind;   // unset: instr when the window has any, else samples
  bool compact = false;                // run pgopipe compact over the window before fetching it
  std::filesystem::path binary_dir;    // binaries by build ID, for converting CPU samples

  // build
  std::string build_kind = "cmake";    // cmake, docker (an image per variant) or go (go build -pgo)
  std::filesystem::path source_dir;    // cmake: the source dir; docker: the build context
  std::filesystem::path dockerfile;    // docker: empty = <context>/Dockerfile
  std::string image;                   // docker: variants are tagged <image>:baseline / :pgo
  std::string docker = "docker";       // docker: the executable
  std::string go_package = ".";        // go: the main package, relative to source_dir
  std::string go = "go";               // go: the executable
  std::string build_profile = "llvm";  // docker: llvm (a compiler profile) or pprof (go build -pgo images)
  std::filesystem::path build_dir;     // holds baseline/ and pgo/; default ./pgopipe-build
  std::vector<std::string> build_args;
  unsigned jobs = 0;
  Duration build_timeout = std::chrono::hours{2};  // each build command; its process group is killed

  // benchmark
  std::vector<std::string> bench_command;  // argv with {build_dir}, {binary} (go) or {image}, {variant}, {source_dir}
  int min_runs = 10;                       // measured A/B pairs before the gate may decide
  int max_runs = 60;                       // measured A/B pairs at most (plus one warm-up pair)
  Duration max_time = std::chrono::minutes{15};  // no new pair after this (min_runs still run)
  std::string metric = "cpu";              // cpu (child user+sys) or wall
  std::filesystem::path bench_cwd;         // empty: the config file's directory
  Duration bench_timeout = std::chrono::minutes{30};  // each benchmark run; its process group is killed

  double max_slowdown = 0.02;
  double unchanged_above = 0.99;
  Duration lock_ttl = std::chrono::hours{2};
  // publish: besides the profile, once the gate approved the PGO build
  std::string publish_binary;              // empty: no; "true" or a path in the PGO build dir
  std::string publish_image;               // docker builds: push <image>:pgo as this reference
  std::filesystem::path report_dir;        // default ./pgopipe-report
  InputLimits limits;                      // from pgopipe's config (limits.*), not pgo.yaml
};

// True when the builds take the merged pprof itself (build.kind go, or a docker image whose
// Dockerfile runs go build -pgo: build.profile pprof), so the window is pprof, never converted.
inline bool takes_pprof(const RebuildConfig& c) { return c.build_kind == "go" || c.build_profile == "pprof"; }

// Reads and validates `path`: unknown keys, wrong types, missing required keys (app,
// build.source, benchmark.command) and bad values are Config errors naming file:line and key.
Result<RebuildConfig> load_rebuild_config(const std::filesystem::path& path);

}  // namespace pgopipe::rebuild
