// SPDX-License-Identifier: Apache-2.0
// The C entry points of collector.h and the automatic start from the environment.
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "collector/instr_collector.hpp"
#include "core/config.hpp"
#include "pgopipe/collector.h"

namespace pgopipe::collector {

Result<Labels> parse_label_list(std::string_view text) {
  Labels labels;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    PGO_TRY_ASSIGN(auto kv, parse_label(item));
    labels.insert(std::move(kv));
  }
  return labels;
}

Result<std::optional<InstrSettings>> settings_from_env(
    const std::map<std::string, std::string>& env) {
  auto get = [&](const char* name) -> std::string {
    auto it = env.find(name);
    return it == env.end() ? std::string{} : it->second;
  };
  InstrSettings s;
  s.store_url = get("PGOPIPE_STORE");
  if (s.store_url.empty()) return std::optional<InstrSettings>{};
  s.app = get("PGOPIPE_APP");
  if (s.app.empty()) {
    return make_error(ErrorCode::Config, "PGOPIPE_STORE is set but PGOPIPE_APP is not");
  }
  if (auto v = get("PGOPIPE_INTERVAL"); !v.empty()) {
    auto d = parse_duration(v);
    if (!d || *d < std::chrono::milliseconds{100}) {
      return make_error(ErrorCode::Config, "PGOPIPE_INTERVAL '{}' is not a duration of at least 100ms", v);
    }
    s.interval = *d;
  }
  PGO_TRY_ASSIGN(s.labels, parse_label_list(get("PGOPIPE_LABELS")));
  s.spool_dir = get("PGOPIPE_SPOOL_DIR");
  if (auto v = get("PGOPIPE_SPOOL_MAX_BYTES"); !v.empty()) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s.spool_max_bytes);
    if (ec != std::errc{} || p != v.data() + v.size() || s.spool_max_bytes == 0) {
      return make_error(ErrorCode::Config, "PGOPIPE_SPOOL_MAX_BYTES '{}' is not a positive byte count", v);
    }
  }
  return std::optional<InstrSettings>{std::move(s)};
}

}  // namespace pgopipe::collector

namespace {

thread_local std::string g_error;

// Runs before main() in every binary that links the collector (the CMake target forces
// this object in with -u pgopipe_collector_start).
__attribute__((constructor)) void pgopipe_collector_autostart() {
  using namespace pgopipe::collector;
  auto settings = settings_from_env(pgopipe::process_environment());
  if (!settings) {
    std::fprintf(stderr, "pgopipe-collector: not started: %s\n", settings.error().message.c_str());
    return;
  }
  if (!*settings) return;  // not configured: stay out of the way
  if (auto ok = start_collector(std::move(**settings)); !ok) {
    std::fprintf(stderr, "pgopipe-collector: not started: %s\n", ok.error().message.c_str());
  }
}

}  // namespace

extern "C" int pgopipe_collector_start(const pgopipe_collector_options* o) {
  using namespace pgopipe::collector;
  g_error.clear();
  if (!o || !o->store || !o->app) {
    g_error = "pgopipe_collector_start: store and app are required";
    return -1;
  }
  InstrSettings s;
  s.store_url = o->store;
  s.app = o->app;
  if (o->interval_seconds > 0) {
    s.interval = std::chrono::duration_cast<pgopipe::Duration>(
        std::chrono::duration<double>(o->interval_seconds));
  }
  if (o->labels) {
    auto labels = parse_label_list(o->labels);
    if (!labels) {
      g_error = labels.error().message;
      return -1;
    }
    s.labels = std::move(*labels);
  }
  if (o->spool_dir) s.spool_dir = o->spool_dir;
  if (o->spool_max_bytes > 0) s.spool_max_bytes = o->spool_max_bytes;
  s.handle_sigterm = o->handle_sigterm != 0;
  if (auto ok = start_collector(std::move(s)); !ok) {
    g_error = ok.error().message;
    return -1;
  }
  return 0;
}

extern "C" void pgopipe_collector_stop(void) { pgopipe::collector::stop_collector(); }

extern "C" const char* pgopipe_collector_error(void) { return g_error.c_str(); }
