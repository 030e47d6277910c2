// SPDX-License-Identifier: Apache-2.0
// The pprof HTTP scraper: pulls CPU profiles from a service's pprof endpoint (Go
// net/http/pprof, gperftools-style handlers) on a schedule and delivers them to the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "collector/uploader.hpp"
#include "core/metadata.hpp"
#include "core/time.hpp"

namespace pgopipe::collector {

struct HttpScrapeSettings {
  std::string url;       // e.g. http://127.0.0.1:6060/debug/pprof/profile?seconds=30
  std::string app;
  Duration interval = std::chrono::minutes{5};
  std::optional<uint64_t> count;  // scrapes to attempt; unset: until stopped
  Labels labels;
  Duration timeout{0};   // per request; 0: the profile's seconds + 30 s
  // Redirects are refused unless this is set; then only to the same scheme, host and port,
  // at most kMaxRedirects in a row.
  bool follow_redirects = false;
};

inline constexpr int kMaxRedirects = 3;

// The profile length a pprof URL asks for: its seconds= query value, else Go's default 30 s.
Duration profile_seconds(std::string_view url);

struct ScrapeStats {
  uint64_t attempts = 0;
  uint64_t delivered = 0;  // uploaded or spooled
};

// Scrapes every `interval` until `stop` becomes true (an in-flight request is abandoned) or
// `count` scrapes were attempted. Failed scrapes (timeouts, non-200 answers, refused
// redirects, bodies that are not pprof) are logged with the URL (credentials redacted) and
// retried at the next tick.
ScrapeStats run_http_scraper(const HttpScrapeSettings& settings, Uploader& uploader,
                             const std::atomic<bool>& stop);

}  // namespace pgopipe::collector
