// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "core/digest.hpp"
#include "core/store/s3_xml.hpp"

namespace pgopipe::store {
namespace {

struct UploadState {
  std::string_view data;
  size_t pos = 0;
};

size_t read_body(char* out, size_t size, size_t n, void* user) {
  auto* up = static_cast<UploadState*>(user);
  size_t len = std::min(size * n, up->data.size() - up->pos);
  std::copy_n(up->data.data() + up->pos, len, out);
  up->pos += len;
  return len;
}

struct BodySink {
  std::string* body;
  uint64_t max;
  bool overflow = false;
};

size_t write_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > sink->max) {
    sink->overflow = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->body->append(data, size * n);
  return size * n;
}

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) headers->clear();  // a new response (after 100 Continue)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    (*headers)[name] = std::string(value);
  }
  return size * n;
}

bool retryable_transport(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool retryable_status(long status) { return status == 429 || status >= 500; }

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlS3Client final : public S3Client {
 public:
  CurlS3Client(std::string bucket, std::string scheme, std::string host, bool path_style,
               S3Options options, AwsCredentials credentials)
      : bucket_(std::move(bucket)),
        scheme_(std::move(scheme)),
        host_(std::move(host)),
        path_style_(path_style),
        options_(std::move(options)),
        credentials_(std::move(credentials)),
        endpoint_(scheme_ + "://" + host_),
        sigv4_("aws:amz:" + options_.region + ":s3") {}

  Result<S3Response> send(const S3Request& request) override {
    std::string url = url_for(request);
    int attempts = std::max(options_.retries, 0) + 1;
    for (int attempt = 1;; ++attempt) {
      S3Response response;
      CURLcode code = perform(request, url, response);
      bool last = attempt >= attempts;
      if (code == CURLE_OK) {
        spdlog::debug("s3: {} {} -> HTTP {} (attempt {})", request.method, url, response.status,
                      attempt);
        if (!retryable_status(response.status) || last) return response;
        spdlog::debug("s3: retrying {} {} after HTTP {}", request.method, url, response.status);
      } else {
        spdlog::debug("s3: {} {} failed: {} (attempt {})", request.method, url,
                      curl_easy_strerror(code), attempt);
        if (!retryable_transport(code) || last) return transport_error(request, url, code, attempt);
      }
      std::this_thread::sleep_for(backoff(attempt));
    }
  }

  [[nodiscard]] const std::string& endpoint() const override { return endpoint_; }

 private:
  std::string url_for(const S3Request& r) const {
    std::string url = scheme_ + "://";
    if (path_style_) {
      url += host_ + "/" + uri_encode(bucket_, false);
      if (!r.key.empty()) url += "/" + uri_encode(r.key, true);
    } else {
      url += bucket_ + "." + host_ + "/" + uri_encode(r.key, true);
    }
    // libcurl 7.88 signs the query string exactly as given: pass it in canonical form.
    if (!r.query.empty()) url += "?" + canonical_query(r.query);
    return url;
  }

  std::chrono::milliseconds backoff(int attempt) {
    // Exponential (100 ms, 200 ms, ... capped at 5 s) with jitter in [50 %, 100 %].
    int64_t base = std::min<int64_t>(int64_t{100} << std::min(attempt - 1, 10), 5000);
    std::lock_guard lock(rng_mu_);
    std::uniform_int_distribution<int64_t> dist(base / 2, base);
    return std::chrono::milliseconds(dist(rng_));
  }

  Error transport_error(const S3Request& r, const std::string& url, CURLcode code, int attempts) {
    std::string what = fmt::format("{} {}", r.method, url);
    std::string tries = fmt::format("after {} attempt(s)", attempts);
    switch (code) {
      case CURLE_COULDNT_CONNECT:
        return make_error(ErrorCode::Store, "cannot connect to {} ({}; {})", endpoint_, what, tries);
      case CURLE_COULDNT_RESOLVE_HOST:
        return make_error(ErrorCode::Store, "cannot resolve the host of {} (DNS failure; {}; {})",
                          endpoint_, what, tries);
      case CURLE_OPERATION_TIMEDOUT:
        return make_error(ErrorCode::Store, "{}: timed out {} (timeout {} ms)", what, tries,
                          options_.timeout.count());
      case CURLE_PEER_FAILED_VERIFICATION:
        return make_error(ErrorCode::Store,
                          "{}: TLS certificate verification of {} failed (use a trusted "
                          "certificate; skipping verification is unsafe)",
                          what, endpoint_);
      case CURLE_FILESIZE_EXCEEDED:
        return make_error(ErrorCode::Store, "{}: the response body from {} exceeds {} bytes (the limit "
                          "for this kind of request)", what, endpoint_, r.max_body);
      case CURLE_PARTIAL_FILE:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_GOT_NOTHING:
        return make_error(ErrorCode::Store, "{}: the connection to {} broke during the transfer "
                          "({}) {}", what, endpoint_, curl_easy_strerror(code), tries);
      default:
        return make_error(ErrorCode::Store, "{}: {} {}", what, curl_easy_strerror(code), tries);
    }
  }

  CurlHandle acquire() {
    std::lock_guard lock(pool_mu_);
    if (pool_.empty()) return CurlHandle(curl_easy_init());
    CurlHandle h = std::move(pool_.back());
    pool_.pop_back();
    curl_easy_reset(h.get());  // keeps the handle's live connections for reuse
    return h;
  }

  void release(CurlHandle h) {
    std::lock_guard lock(pool_mu_);
    pool_.push_back(std::move(h));
  }

  CURLcode perform(const S3Request& r, const std::string& url, S3Response& response) {
    CurlHandle handle = acquire();
    if (!handle) return CURLE_OUT_OF_MEMORY;
    CURL* h = handle.get();
    curl_slist* list = nullptr;
    auto add = [&](const std::string& line) { list = curl_slist_append(list, line.c_str()); };
    // S3 requires the payload hash; libcurl signs it but does not compute it for uploads.
    add("x-amz-content-sha256: " + sha256_hex(r.body));
    if (!credentials_.session_token.empty()) {
      add("x-amz-security-token: " + credentials_.session_token);
    }
    for (const auto& [name, value] : r.headers) add(name + ": " + value);
    std::unique_ptr<curl_slist, SlistDeleter> headers(list);

    UploadState upload{r.body, 0};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, credentials_.access_key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, credentials_.secret_access_key.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    BodySink sink{&response.body, r.max_body};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
    if (r.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (r.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt(h, CURLOPT_READDATA, &upload);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    } else if (r.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    CURLcode code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (sink.overflow) code = CURLE_FILESIZE_EXCEEDED;
    if (code == CURLE_OK) {
      release(std::move(handle));  // a failed handle's connection is not worth keeping
    }
    return code;
  }

  std::string bucket_, scheme_, host_;
  bool path_style_;
  S3Options options_;
  AwsCredentials credentials_;
  std::string endpoint_, sigv4_;
  std::mutex pool_mu_;
  std::vector<CurlHandle> pool_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> query) {
  for (auto& [k, v] : query) {
    k = uri_encode(k, false);
    v = uri_encode(v, false);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

Error s3_http_error(std::string_view what, const S3Response& response) {
  S3ErrorBody err = parse_s3_error(response.body);
  std::string detail;
  if (!err.code.empty()) {
    detail = err.code + (err.message.empty() ? "" : ": " + err.message);
    if (err.code == "SignatureDoesNotMatch" || err.code == "InvalidAccessKeyId") {
      detail += " (check the S3 access key and secret)";
    }
  } else if (response.status == 403) {
    detail = "access denied (wrong credentials or missing permission)";
  } else if (response.status == 404) {
    detail = "not found";
  } else {
    detail = "no error details from the server";
  }
  ErrorCode code = response.status == 404 && err.code != "NoSuchBucket" ? ErrorCode::NotFound
                                                                        : ErrorCode::Store;
  return make_error(code, "{}: HTTP {} {}", what, response.status, detail);
}

Result<std::unique_ptr<S3Client>> make_s3_client(std::string bucket, const S3Options& options,
                                                 AwsCredentials credentials) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string scheme = "https", host;
  bool path_style = options.path_style.value_or(!options.endpoint.empty());
  if (options.endpoint.empty()) {
    host = "s3." + options.region + ".amazonaws.com";
  } else {
    std::string_view ep = options.endpoint;
    size_t sep = ep.find("://");
    if (sep == std::string_view::npos || (ep.substr(0, sep) != "http" && ep.substr(0, sep) != "https")) {
      return make_error(ErrorCode::Config, "S3 endpoint '{}' must start with http:// or https://",
                        options.endpoint);
    }
    scheme = std::string(ep.substr(0, sep));
    host = std::string(ep.substr(sep + 3));
    while (!host.empty() && host.back() == '/') host.pop_back();
    if (host.empty() || host.find_first_of("/@?# ") != std::string::npos) {
      return make_error(ErrorCode::Config,
                        "S3 endpoint '{}' must be scheme://host[:port] (no path, no user info)",
                        options.endpoint);
    }
  }
  return std::unique_ptr<S3Client>(std::make_unique<CurlS3Client>(
      std::move(bucket), std::move(scheme), std::move(host), path_style, options,
      std::move(credentials)));
}

}  // namespace pgopipe::store
