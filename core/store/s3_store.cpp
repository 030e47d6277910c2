// SPDX-License-Identifier: Apache-2.0
// Completeness: every object is written by one PUT carrying x-amz-content-sha256, which the
// server checks against the bytes it received before the object becomes visible; an upload
// cut short is rejected by the server and never listed. Metadata rides on the same PUT, so
// an object and its metadata appear together.
#include "core/store/s3_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "core/config.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/names.hpp"
#include "core/parallel.hpp"
#include "core/store/key_layout.hpp"
#include "core/store/s3_client.hpp"
#include "core/store/s3_listing.hpp"
#include "core/store/s3_xml.hpp"

namespace pgopipe::store {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
constexpr size_t kMaxListings = 48;  // prefixes per query before coarser partitions are used

class S3Store final : public Store {
 public:
  S3Store(std::string bucket, std::string prefix, std::unique_ptr<S3Client> client,
          StoreOptions options)
      : bucket_(std::move(bucket)),
        prefix_(std::move(prefix)),
        client_(std::move(client)),
        options_(std::move(options)) {}

  Result<std::string> put(const ProfileMeta& meta_in, std::string_view bytes) override {
    ProfileMeta meta = meta_in;
    PGO_TRY(complete_meta(meta, bytes));
    std::string key = object_key(meta, random_hex(8));
    S3Request req{"PUT", prefix_ + key, {}, {}, bytes};
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.headers.emplace_back("If-None-Match", "*");  // never overwrite another object
    for (const auto& [name, value] : to_header_map(meta)) {
      if (!value.empty()) req.headers.emplace_back(std::string(kMetaPrefix) + name, value);
    }
    PGO_TRY_ASSIGN(S3Response resp, client_->send(req));
    if (resp.status == 412) {
      // Only possible when a retried PUT had already succeeded: accept our own object, but
      // only whole (its length too, should a server ever keep a body cut short).
      PGO_TRY_ASSIGN(S3Response head, client_->send({"HEAD", prefix_ + key, {}, {}, {}}));
      auto existing = meta_from_headers(key, head.headers);
      auto length = head.headers.find("content-length");
      if (head.status == 200 && existing && existing->sha256 == meta.sha256 &&
          length != head.headers.end() && length->second == std::to_string(bytes.size())) {
        return key;
      }
      return make_error(ErrorCode::Store, "PUT {}: key already exists", url_of(key));
    }
    if (resp.status != 200) return s3_http_error("PUT " + url_of(key), resp);
    return key;
  }

  Result<void> put_at(std::string_view key, const ProfileMeta& meta_in, std::string_view bytes) override {
    PGO_TRY(validate_key(key));
    ProfileMeta meta = meta_in;
    PGO_TRY(complete_meta(meta, bytes));
    S3Request req{"PUT", prefix_ + std::string(key), {}, {}, bytes};
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    for (const auto& [name, value] : to_header_map(meta)) {
      if (!value.empty()) req.headers.emplace_back(std::string(kMetaPrefix) + name, value);
    }
    PGO_TRY_ASSIGN(S3Response resp, client_->send(req));
    if (resp.status != 200) return s3_http_error("PUT " + url_of(key), resp);
    return success();
  }

  using Store::list;
  Result<std::vector<StoredObject>> list(const Query& q, std::vector<DamagedObject>* damaged) override {
    PGO_TRY(validate_app(q.app));
    std::vector<std::string> keys;
    for (const auto& partition : s3_listing_prefixes(q.app, q.window)) {
      PGO_TRY_ASSIGN(std::vector<std::string> found, list_keys(partition, damaged));
      for (auto& key : found) {
        auto parsed = parse_object_key(key);
        if (parsed && q.window.contains(parsed->collected_at)) keys.push_back(std::move(key));
      }
    }
    // Metadata lives in each object's headers: one HEAD per object, in parallel.
    std::vector<Head> heads(keys.size());
    PGO_TRY(parallel_for(keys.size(), options_.concurrency, [&](size_t i) -> Result<void> {
      PGO_TRY_ASSIGN(heads[i], head_meta(keys[i]));
      return success();
    }));
    std::vector<StoredObject> out;
    for (size_t i = 0; i < keys.size(); ++i) {
      // An object removed between the listing and its HEAD is simply gone.
      if (!heads[i].problem.empty()) note_damaged(damaged, keys[i], heads[i].problem);
      if (heads[i].meta && matches(q, *heads[i].meta)) out.push_back({keys[i], std::move(*heads[i].meta)});
    }
    std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
      return std::tie(a.meta.collected_at, a.key) < std::tie(b.meta.collected_at, b.key);
    });
    return out;
  }

  Result<Blob> get(std::string_view key) override {
    PGO_TRY(validate_key(key));
    PGO_TRY_ASSIGN(S3Response resp, client_->send({"GET", prefix_ + std::string(key), {}, {}, {}, kMaxObjectBody}));
    if (resp.status == 404 && parse_s3_error(resp.body).code != "NoSuchBucket") {
      return make_error(ErrorCode::NotFound, "no object {} in {}", key, describe());
    }
    if (resp.status != 200) return s3_http_error("GET " + url_of(key), resp);
    PGO_TRY_ASSIGN(ProfileMeta meta, meta_from_headers(key, resp.headers));
    std::string digest = sha256_hex(resp.body);
    if (digest != meta.sha256) {
      return make_error(ErrorCode::Integrity,
                        "object {} is corrupt: sha256 {} does not match its metadata ({})", key,
                        digest, meta.sha256);
    }
    return Blob{std::move(meta), std::move(resp.body)};
  }

  Result<void> remove(std::string_view key) override { return remove_raw(key); }

  Result<void> put_raw(std::string_view key, std::string_view bytes, bool exclusive) override {
    PGO_TRY(validate_key(key));
    S3Request req{"PUT", prefix_ + std::string(key), {}, {}, bytes};
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    if (exclusive) {
      // If-None-Match makes the create atomic where the server supports it; the HEAD before
      // it still catches an existing key on servers that ignore the condition.
      PGO_TRY_ASSIGN(S3Response head, client_->send({"HEAD", prefix_ + std::string(key), {}, {}, {}}));
      if (head.status == 200) return make_error(ErrorCode::Store, "key {} already exists", key);
      if (head.status != 404) return s3_http_error("HEAD " + url_of(key), head);
      req.headers.emplace_back("If-None-Match", "*");
    }
    PGO_TRY_ASSIGN(S3Response resp, client_->send(req));
    if (exclusive && (resp.status == 412 || resp.status == 409)) {
      return make_error(ErrorCode::Store, "key {} already exists", key);
    }
    if (resp.status != 200) return s3_http_error("PUT " + url_of(key), resp);
    return success();
  }

  Result<std::string> get_raw(std::string_view key) override {
    PGO_TRY(validate_key(key));
    PGO_TRY_ASSIGN(S3Response resp, client_->send({"GET", prefix_ + std::string(key), {}, {}, {}, kMaxObjectBody}));
    if (resp.status == 404 && parse_s3_error(resp.body).code != "NoSuchBucket") {
      return make_error(ErrorCode::NotFound, "no object {} in {}", key, describe());
    }
    if (resp.status != 200) return s3_http_error("GET " + url_of(key), resp);
    return std::move(resp.body);
  }

  Result<std::vector<std::string>> list_raw(std::string_view prefix) override {
    PGO_TRY_ASSIGN(std::vector<std::string> keys, list_keys(prefix, nullptr));
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  Result<void> remove_raw(std::string_view key) override {
    PGO_TRY(validate_key(key));
    PGO_TRY_ASSIGN(S3Response resp,
                   client_->send({"DELETE", prefix_ + std::string(key), {}, {}, {}}));
    if (resp.status == 204 || resp.status == 200) return success();
    if (resp.status == 404 && parse_s3_error(resp.body).code == "NoSuchKey") return success();
    return s3_http_error("DELETE " + url_of(key), resp);
  }

  [[nodiscard]] std::string describe() const override {
    std::string p = prefix_;
    if (!p.empty()) p.pop_back();
    return "s3://" + bucket_ + (p.empty() ? "" : "/" + p);
  }

 private:
  std::string url_of(std::string_view key) const {
    return fmt::format("s3://{}/{}{}", bucket_, prefix_, key);
  }

  // Keys (relative to the store prefix) under `prefix`, following continuation tokens; the
  // walk checks the server's answers (see ListingWalk).
  Result<std::vector<std::string>> list_keys(std::string_view prefix, std::vector<DamagedObject>* damaged) {
    std::vector<std::string> keys;
    std::string full = prefix_ + std::string(prefix);
    ListingWalk walk(prefix_, full, fmt::format("ListObjectsV2 s3://{}/{}", bucket_, full));
    std::string token;
    do {
      S3Request req{"GET", "", {{"list-type", "2"}, {"prefix", full}}, {}, {}, kMaxListingBody};
      req.query.emplace_back("max-keys", std::to_string(options_.s3.list_page_size));
      if (!token.empty()) req.query.emplace_back("continuation-token", token);
      PGO_TRY_ASSIGN(S3Response resp, client_->send(req));
      if (resp.status != 200) {
        return s3_http_error(fmt::format("ListObjectsV2 s3://{}/{}", bucket_, full), resp);
      }
      auto page = parse_list_objects_v2(resp.body);
      if (!page) return page.error().context(fmt::format("listing s3://{}/{}", bucket_, full));
      PGO_TRY_ASSIGN(token, walk.next(*page, keys, damaged));
    } while (!token.empty());
    return keys;
  }

  // What a HEAD says about a listed object: its metadata, nothing (gone), or the problem
  // with its metadata headers.
  struct Head {
    std::optional<ProfileMeta> meta;
    std::string problem;
  };

  // The metadata of `key` from a HEAD; a Store error when the HEAD itself fails.
  Result<Head> head_meta(const std::string& key) {
    PGO_TRY_ASSIGN(S3Response resp, client_->send({"HEAD", prefix_ + key, {}, {}, {}}));
    if (resp.status == 404) return Head{};
    if (resp.status != 200) return s3_http_error("HEAD " + url_of(key), resp);
    auto meta = meta_from_headers(key, resp.headers);
    if (!meta) return Head{std::nullopt, meta.error().message};
    return Head{std::move(*meta), ""};
  }

  Result<ProfileMeta> meta_from_headers(std::string_view key,
                                        const std::map<std::string, std::string>& headers) {
    std::map<std::string, std::string> meta_headers;
    for (const auto& [name, value] : headers) {
      if (name.starts_with(kMetaPrefix)) meta_headers[name.substr(kMetaPrefix.size())] = value;
    }
    return meta_from_header_map(meta_headers, url_of(key));
  }

  std::string bucket_, prefix_;  // prefix_ is empty or ends with '/'
  std::unique_ptr<S3Client> client_;
  StoreOptions options_;
};

Result<void> validate_bucket(std::string_view bucket, std::string_view url) {
  bool ok = bucket.size() >= 3 && bucket.size() <= 63 &&
            std::all_of(bucket.begin(), bucket.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            });
  if (!ok || bucket.front() == '.' || bucket.front() == '-' || bucket.find("..") != bucket.npos) {
    return make_error(ErrorCode::Config,
                      "store URL '{}': bucket name must be 3-63 of [a-z0-9.-], starting with a "
                      "letter or digit",
                      printable(url));
  }
  return success();
}

}  // namespace

std::vector<std::string> s3_listing_prefixes(std::string_view app, const Window& window) {
  using namespace std::chrono;
  std::vector<std::string> fine = partition_prefixes(app, window);
  if (fine.size() <= kMaxListings) return fine;
  year_month first{year_month_day{floor<days>(window.since)}.year(),
                   year_month_day{floor<days>(window.since)}.month()};
  year_month last{year_month_day{floor<days>(window.until - nanoseconds{1})}.year(),
                  year_month_day{floor<days>(window.until - nanoseconds{1})}.month()};
  std::vector<std::string> out;
  int month_span = (int(last.year()) - int(first.year())) * 12 +
                   (static_cast<int>(unsigned(last.month())) - static_cast<int>(unsigned(first.month())));
  if (month_span < static_cast<int>(kMaxListings / 2)) {
    for (year_month m = first; m <= last; m += months{1}) {
      out.push_back(fmt::format("{}/{:04d}/{:02d}/", app, int(m.year()), unsigned(m.month())));
    }
    return out;
  }
  if ((last.year() - first.year()).count() < 4) {
    for (year y = first.year(); y <= last.year(); ++y) {
      out.push_back(fmt::format("{}/{:04d}/", app, int(y)));
    }
    return out;
  }
  return {std::string(app) + "/"};
}

Result<std::unique_ptr<Store>> make_s3_store(std::string_view url, const StoreOptions& options) {
  if (!url.starts_with("s3://")) {
    return make_error(ErrorCode::Config, "store URL '{}' is not an s3:// URL", printable(url));
  }
  std::string_view rest = url.substr(5);
  size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string prefix(slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  PGO_TRY(validate_bucket(bucket, url));
  if (!valid_s3_region(options.s3.region)) {
    return make_error(ErrorCode::Config, "S3 region '{}' is not a region name ([a-z0-9-])",
                      printable(options.s3.region));
  }
  if (!prefix.empty()) {
    auto valid = validate_key(prefix);
    if (!valid) {
      return make_error(ErrorCode::Config, "store URL '{}': bad prefix: {}", printable(url),
                        valid.error().message);
    }
    prefix += '/';
  }
  auto creds = load_aws_credentials(process_environment(), options.s3.profile);
  if (!creds) return creds.error().context(fmt::format("S3 credentials for {}", printable(url)));
  spdlog::debug("s3: credentials for {} from {}", printable(url), creds->source);
  PGO_TRY_ASSIGN(auto client, make_s3_client(bucket, options.s3, std::move(*creds)));
  return std::unique_ptr<Store>(
      std::make_unique<S3Store>(std::move(bucket), std::move(prefix), std::move(client), options));
}

}  // namespace pgopipe::store
