// SPDX-License-Identifier: Apache-2.0
// The perf sampler: records a process (or a command it starts) with `perf record -e
// cpu-clock -g` for a duration per profile, converts the samples to pprof (mappings, build
// IDs, perf's symbol names) and delivers each profile to the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/uploader.hpp"
#include "core/formats/perf/address_samples.hpp"
#include "core/formats/perf/perf_script.hpp"
#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::collector {

struct PerfSettings {
  std::optional<int> pid;            // the process to record, or
  std::vector<std::string> command;  // a command the sampler starts and records
  std::string app;
  unsigned frequency = 99;  // samples per second
  Duration duration = std::chrono::seconds{30};
  Duration interval = std::chrono::minutes{5};
  std::optional<uint64_t> count;  // profiles to record; unset: until stopped or target exits
  Labels labels;
};

struct PerfStats {
  uint64_t recordings = 0;
  uint64_t delivered = 0;  // uploaded or spooled
};

// Checks that perf can run here: on PATH ("perf not found: install linux-perf") and, for
// non-root users, kernel.perf_event_paranoid allows per-process sampling.
Result<void> check_perf_available();

// Converts parsed perf samples to a pprof profile (cpu-clock at `frequency` Hz): one
// mapping per executable mapping with its build ID (from `build_ids` by file when the
// samples lack it), functions named by perf's symbols.
Result<std::string> perf_samples_to_pprof(const perf::AddressSamples& samples,
                                          const perf::FrameSymbols& symbols, unsigned frequency,
                                          TimePoint started, Duration duration,
                                          const std::map<std::string, std::string>& build_ids = {});

// Records profiles until `count` are taken, the target exits or `stop` becomes true (the
// current recording is cut short and still delivered). Errors: perf missing or not
// permitted, target pid not found, the command cannot start.
Result<PerfStats> run_perf_sampler(const PerfSettings& settings, Uploader& uploader,
                                   const std::atomic<bool>& stop);

}  // namespace pgopipe::collector
