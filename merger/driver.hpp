// SPDX-License-Identifier: Apache-2.0
// Runs a merge: inputs (files or store objects) are loaded one at a time by each worker and
// folded into an engine (the worker's own; for pprof the one engine, in input order, see
// merger/engine.hpp); the engines are then folded pairwise and written once.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "merger/engine.hpp"
#include "merger/weights.hpp"

namespace pgopipe::merge {

// Same meaning as llvm-profdata's --failure-mode.
enum class FailureMode {
  Any,   // fail on the first bad input (default)
  All,   // fail only if every input is bad; skip the others with a warning
  Warn,  // skip bad inputs with a warning naming each one and the reason
};

Result<FailureMode> parse_failure_mode(std::string_view text);

// One input: a name for messages and weights, what is known about it, and how to load it.
struct MergeSource {
  std::string name;
  ProfileFormat format = ProfileFormat::Unknown;
  std::optional<TimePoint> collected_at;
  Duration duration{0};
  std::function<Result<std::string>()> load;
  // Raw profiles this input stands for (a rollup's count). Under pprof duration normalisation
  // each of them counts as one minute, as it would if merged raw.
  uint64_t profiles = 1;
};

struct MergeRequest {
  std::vector<MergeSource> sources;
  std::optional<ProfileFamily> family;  // --format; unset: detected, all inputs must agree
  MergeOptions options;
  WeightPolicy weights;
  FailureMode failure_mode = FailureMode::Any;
  int jobs = 2;
  std::filesystem::path output;
  // Called (one call at a time) after each input is merged or skipped: done, total, bytes read.
  std::function<void(size_t, size_t, uint64_t)> progress;
};

struct MergeReport {
  ProfileFamily family = ProfileFamily::Unknown;
  size_t merged = 0;  // raw profiles merged (a rollup input counts its profiles)
  std::vector<std::pair<std::string, std::string>> skipped;  // input, reason
  std::optional<TimePoint> first_collected, last_collected;  // span of merged store inputs
};

// Makes sources for local files, detecting each file's format from its first bytes.
Result<std::vector<MergeSource>> file_sources(const std::vector<std::string>& paths);

// Makes sources that download the given objects from `store` when a worker needs them.
std::vector<MergeSource> store_sources(store::Store& store, const std::vector<store::StoredObject>& objects);

// Runs the merge and writes request.output atomically. On error nothing is written.
Result<MergeReport> run_merge(const MergeRequest& request, const WarnFn& warn);

}  // namespace pgopipe::merge
