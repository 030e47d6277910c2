// SPDX-License-Identifier: Apache-2.0
#include "collector/http_scraper.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <thread>

#include "core/redact.hpp"
#include "core/formats/pprof/pprof.hpp"
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

// "scheme://host:port" of `url` (lower-case scheme and host), empty when it does not parse.
std::string origin_of(const std::string& url) {
  CURLU* u = curl_url();
  std::string out;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr, *port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      out = fmt::format("{}://{}:{}", scheme, host, port);
      std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return out;
}

struct Answer {
  long status = 0;
  std::string body;
  std::string location;  // the redirect target of a 3xx answer
};

// One GET without following redirects; an error naming `shown` on transport failures.
Result<Answer> get_once(const std::string& url, const std::string& shown, Duration timeout,
                        const std::atomic<bool>& stop) {
  CURL* curl = curl_easy_init();
  if (!curl) return make_error(ErrorCode::Internal, "cannot initialize libcurl");
  Transfer t;
  t.stop = &stop;
  char err[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
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
  Answer a;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  char* location = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) a.location = location;
  curl_easy_cleanup(curl);
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    return make_error(ErrorCode::Store, "{}: scrape abandoned on shutdown", shown);
  }
  if (t.too_large) {
    return make_error(ErrorCode::Input, "{}: answer larger than {} MiB", shown, kMaxBody >> 20);
  }
  if (rc != CURLE_OK) {
    return make_error(ErrorCode::Store, "{}: {}", shown, redact_text(err[0] ? err : curl_easy_strerror(rc)));
  }
  a.body = std::move(t.body);
  return a;
}

// GET with the redirect policy; the body on a 200 answer, else an error naming the URL and
// the cause (credentials redacted, the answer's first bytes escaped).
Result<std::string> fetch(const HttpScrapeSettings& s, Duration timeout, const std::atomic<bool>& stop) {
  std::string url = s.url;
  const std::string origin = origin_of(s.url);
  for (int hops = 0;; ++hops) {
    std::string shown = redact_url(url);
    PGO_TRY_ASSIGN(Answer a, get_once(url, shown, timeout, stop));
    if (a.status >= 300 && a.status < 400 && !a.location.empty()) {
      std::string target = redact_url(a.location);
      if (!s.follow_redirects) {
        return make_error(ErrorCode::Store, "{}: HTTP {} redirect to {} not followed (--follow-redirects "
                          "follows redirects to the same scheme and host)", shown, a.status, target);
      }
      if (origin.empty() || origin_of(a.location) != origin) {
        return make_error(ErrorCode::Store, "{}: HTTP {} redirect to {} refused: another scheme or host",
                          shown, a.status, target);
      }
      if (hops + 1 > kMaxRedirects) {
        return make_error(ErrorCode::Store, "{}: more than {} redirects", redact_url(s.url), kMaxRedirects);
      }
      url = a.location;
      continue;
    }
    if (a.status != 200) {
      std::string_view head(a.body);
      return make_error(ErrorCode::Store, "{}: HTTP {}: {}", shown, a.status,
                        printable(head.substr(0, std::min<size_t>(head.size(), 200))));
    }
    return std::move(a.body);
  }
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
  const std::string shown = redact_url(s.url);
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
    auto body = fetch(s, timeout, stop);
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
                   "profile (detected: {})", shown, body->size(), to_string(format));
      continue;
    }
    auto profile = pprof::parse(shown, *body);
    if (!profile) {
      spdlog::warn("scrape failed, retrying next tick: {}", profile.error().message);
      continue;
    }
    ProfileMeta meta;
    meta.app = s.app;
    meta.format = format;
    meta.build_id = pprof::main_build_id(*profile);  // the main binary's, when it names one
    meta.collected_at = started;
    meta.duration = seconds;
    meta.host = host;
    meta.labels = s.labels;
    auto key = uploader.deliver(meta, *body, stats.attempts);
    if (!key) {
      spdlog::error("scraped profile from {} dropped: {}", shown, key.error().message);
      continue;
    }
    ++stats.delivered;
    if (!key->empty()) spdlog::info("scraped {} ({} bytes) -> {}", shown, body->size(), *key);
    if (std::chrono::steady_clock::now() > next) next = std::chrono::steady_clock::now();
  }
  if (!stop) uploader.drain();
  return stats;
}

}  // namespace pgopipe::collector
