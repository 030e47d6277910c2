// SPDX-License-Identifier: Apache-2.0
// The in-process collector behind collector.h: settings and the C++ entry points.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::collector {

struct InstrSettings {
  std::string store_url;            // the upload collector's store; the spool collector's hint
  std::string app;
  Duration interval = std::chrono::minutes{5};
  Labels labels;                    // "pid" and "seq" are added per profile
  std::filesystem::path spool_dir;  // empty: default_spool_dir(app)
  uint64_t spool_max_bytes = uint64_t{256} << 20;
  bool handle_sigterm = true;
};

// Reads PGOPIPE_STORE, PGOPIPE_APP, PGOPIPE_INTERVAL, PGOPIPE_LABELS, PGOPIPE_SPOOL_DIR and
// PGOPIPE_SPOOL_MAX_BYTES from `env`; neither PGOPIPE_SPOOL_DIR nor PGOPIPE_STORE set gives
// std::nullopt (collector off). Labels are validated here (well-formed UTF-8 among others).
Result<std::optional<InstrSettings>> settings_from_env(const std::map<std::string, std::string>& env);

// The PGOPIPE_* variables of this process's environment.
std::map<std::string, std::string> collector_environment();

// Parses "k=v,k=v" (empty: no labels).
Result<Labels> parse_label_list(std::string_view text);

// Starts the process-wide collector (fails if the binary is not instrumented or it runs).
Result<void> start_collector(InstrSettings settings);

// Flushes the last partial interval and stops the collector; no-op when not running.
void stop_collector();

}  // namespace pgopipe::collector
