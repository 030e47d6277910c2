// SPDX-License-Identifier: Apache-2.0
// The C entry points of collector.h and the automatic start from the environment.
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "collector/instr_collector.hpp"
#include "pgopipe/collector.h"

extern char** environ;

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
  s.spool_dir = get("PGOPIPE_SPOOL_DIR");
  if (s.store_url.empty() && s.spool_dir.empty()) return std::optional<InstrSettings>{};
  s.app = get("PGOPIPE_APP");
  if (s.app.empty()) {
    return make_error(ErrorCode::Config, "{} is set but PGOPIPE_APP is not",
                      s.spool_dir.empty() ? "PGOPIPE_STORE" : "PGOPIPE_SPOOL_DIR");
  }
  if (auto v = get("PGOPIPE_INTERVAL"); !v.empty()) {
    auto d = parse_duration(v);
    if (!d || *d < std::chrono::milliseconds{100}) {
      return make_error(ErrorCode::Config, "PGOPIPE_INTERVAL '{}' is not a duration of at least 100ms", v);
    }
    s.interval = *d;
  }
  PGO_TRY_ASSIGN(s.labels, parse_label_list(get("PGOPIPE_LABELS")));
  if (auto v = get("PGOPIPE_SPOOL_MAX_BYTES"); !v.empty()) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s.spool_max_bytes);
    if (ec != std::errc{} || p != v.data() + v.size() || s.spool_max_bytes == 0) {
      return make_error(ErrorCode::Config, "PGOPIPE_SPOOL_MAX_BYTES '{}' is not a positive byte count", v);
    }
  }
  return std::optional<InstrSettings>{std::move(s)};
}

std::map<std::string, std::string> collector_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("PGOPIPE_")) continue;
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace pgopipe::collector

namespace {

thread_local std::string g_error;

void not_started(const std::string& why) {
  std::string line = "pgopipe-collector[" + std::to_string(::getpid()) + "] error: not started: " +
                     why + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

// Runs before main() in every binary that links the collector (the link option
// -u pgopipe_collector_start pulls this object in). A bad setting is logged once and the
// collector stays off; the host starts normally whatever happens here.
__attribute__((constructor)) void pgopipe_collector_autostart() {
  using namespace pgopipe::collector;
  try {
    auto settings = settings_from_env(collector_environment());
    if (!settings) return not_started(settings.error().message);
    if (!*settings) return;  // not configured: stay out of the way
    if (auto ok = start_collector(std::move(**settings)); !ok) not_started(ok.error().message);
  } catch (const std::exception& e) {
    not_started(e.what());
  } catch (...) {
    not_started("unknown exception");
  }
}

int start_from_options(const pgopipe_collector_options* o) {
  using namespace pgopipe::collector;
  g_error.clear();
  if (!o || !o->app) {
    g_error = "pgopipe_collector_start: app is required";
    return -1;
  }
  InstrSettings s;
  if (o->store) s.store_url = o->store;
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

}  // namespace

extern "C" int pgopipe_collector_start(const pgopipe_collector_options* o) {
  try {
    return start_from_options(o);
  } catch (const std::exception& e) {
    g_error = std::string("pgopipe_collector_start: ") + e.what();
  } catch (...) {
    g_error = "pgopipe_collector_start: unknown exception";
  }
  return -1;
}

extern "C" void pgopipe_collector_stop(void) {
  try {
    pgopipe::collector::stop_collector();
  } catch (...) {  // std::system_error from a join: nothing the caller can do about it
  }
}

extern "C" const char* pgopipe_collector_error(void) { return g_error.c_str(); }
