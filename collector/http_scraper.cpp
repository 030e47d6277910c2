// SPDX-License-Identifier: Apache-2.0
#include "collector/http_scraper.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <thread>

#include "core/redact.hpp"
#include "core/fs.hpp"
#include "core/names.hpp"

namespace pgopipe::collector {
namespace {

constexpr size_t kMaxBody = size_t{512} << 20;

struct Transfer {
  std::string body;
  const std::atomic<bool>* stop = nullptr;
  bool too_large = false;
};

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->body.size() + size * n > kMaxBody) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, size * n);
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->stop->load() ? 1 : 0;  // nonzero aborts the transfer
}

// One GET; the body on a 200 answer, else an error naming the URL and the cause.
Result<std::string> fetch(const std::string& url, Duration timeout, const std::atomic<bool>& stop) {
  CURL* curl = curl_easy_init();
  if (!curl) return make_error(ErrorCode::Internal, "cannot initialize libcurl");
  Transfer t;
  t.stop = &stop;
  char err[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "pgopipe-collect-http");
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    return make_error(ErrorCode::Store, "{}: scrape abandoned on shutdown", redact_url(url));
  }
  if (t.too_large) {
    return make_error(ErrorCode::Input, "{}: answer larger than {} MiB", redact_url(url), kMaxBody >> 20);
  }
  if (rc != CURLE_OK) {
    return make_error(ErrorCode::Store, "{}: {}", redact_url(url),
                      redact_text(err[0] ? err : curl_easy_strerror(rc)));
  }
  if (status != 200) {
    std::string_view head(t.body);
    return make_error(ErrorCode::Store, "{}: HTTP {}: {}", redact_url(url), status,
                      printable(head.substr(0, std::min<size_t>(head.size(), 200))));
  }
  return std::move(t.body);
}

}  // namespace

Duration profile_seconds(std::string_view url) {
  size_t q = url.find('?');
  while (q != std::string_view::npos) {
    std::string_view rest = url.substr(q + 1);
    if (rest.starts_with("seconds=")) {
      std::string_view v = rest.substr(8, rest.find('&') == std::string_view::npos
                                              ? std::string_view::npos
                                              : rest.find('&') - 8);
      int64_t s = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
      if (ec == std::errc{} && p == v.data() + v.size() && s > 0) return std::chrono::seconds{s};
    }
    q = url.find('&', q + 1);
  }
  return std::chrono::seconds{30};
}

ScrapeStats run_http_scraper(const HttpScrapeSettings& s, Uploader& uploader,
                             const std::atomic<bool>& stop) {
  ScrapeStats stats;
  Duration seconds = profile_seconds(s.url);
  Duration timeout = s.timeout > Duration{0} ? s.timeout : seconds + std::chrono::seconds{30};
  std::string host = host_name();
  auto next = std::chrono::steady_clock::now();
  while (!stop && (!s.count || stats.attempts < *s.count)) {
    while (!stop && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds{100}, next - std::chrono::steady_clock::now()));
    }
    if (stop) break;
    next += s.interval;
    ++stats.attempts;
    TimePoint started = now();
    auto body = fetch(s.url, timeout, stop);
    if (!body) {
      if (stop) {
        spdlog::info("{}", body.error().message);
        break;
      }
      spdlog::warn("scrape failed, retrying next tick: {}", body.error().message);
      continue;
    }
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(body->data()), body->size());
    ProfileFormat format = detect_format(bytes);
    if (format != ProfileFormat::Pprof && format != ProfileFormat::PprofGzip) {
      spdlog::warn("scrape failed, retrying next tick: {}: the answer ({} bytes) is not a pprof "
                   "profile (detected: {})", redact_url(s.url), body->size(), to_string(format));
      continue;
    }
    ProfileMeta meta;
    meta.app = s.app;
    meta.format = format;
    meta.collected_at = started;
    meta.duration = seconds;
    meta.host = host;
    meta.labels = s.labels;
    auto key = uploader.deliver(meta, *body, stats.attempts);
    if (!key) {
      spdlog::error("scraped profile from {} dropped: {}", redact_url(s.url), key.error().message);
      continue;
    }
    ++stats.delivered;
    if (!key->empty()) spdlog::info("scraped {} ({} bytes) -> {}", redact_url(s.url), body->size(), *key);
    if (std::chrono::steady_clock::now() > next) next = std::chrono::steady_clock::now();
  }
  if (!stop) uploader.drain();
  return stats;
}

}  // namespace pgopipe::collector
