// SPDX-License-Identifier: Apache-2.0
// Signed HTTP requests to one S3 bucket over libcurl: SigV4 signing (CURLOPT_AWS_SIGV4 plus
// our own x-amz-content-sha256), path-style or virtual-hosted URLs, timeouts, TLS
// verification, and retries with exponential backoff and jitter on 5xx, 429, timeouts and
// dropped connections. Neither the secret nor the Authorization header is ever logged.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/store/aws_credentials.hpp"
#include "core/store/store.hpp"

namespace pgopipe::store {

struct S3Request {
  std::string method = "GET";  // GET, HEAD, PUT, DELETE
  std::string key;             // full object key in the bucket; empty: the bucket itself
  std::vector<std::pair<std::string, std::string>> query;    // unencoded name/value pairs
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (signed)
  std::string_view body;       // PUT body
  // Largest response body accepted; a longer one aborts the transfer with a Store error
  // (the server is not trusted to bound its answers). See kMax*Body below.
  uint64_t max_body = uint64_t{1} << 20;
};

// Response body ceilings per request kind: listing pages (1,000 keys of at most 1 KiB each,
// XML-escaped), metadata and error answers, and objects (up to the profile size limit).
inline constexpr uint64_t kMaxListingBody = uint64_t{16} << 20;
inline constexpr uint64_t kMaxSmallBody = uint64_t{1} << 20;
inline constexpr uint64_t kMaxObjectBody = uint64_t{2} << 30;

struct S3Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  std::string body;
};

class S3Client {
 public:
  virtual ~S3Client() = default;

  // Sends `request`, retrying transient failures; returns the final HTTP response (any
  // status) or a Store error for transport failures ("cannot connect to <endpoint>", DNS)
  // and for bodies longer than request.max_body.
  virtual Result<S3Response> send(const S3Request& request) = 0;

  // The endpoint URL requests go to (for messages), e.g. "http://127.0.0.1:9000".
  [[nodiscard]] virtual const std::string& endpoint() const = 0;
};

// Creates a client for `bucket`; validates the endpoint URL (Config error if malformed).
Result<std::unique_ptr<S3Client>> make_s3_client(std::string bucket, const S3Options& options,
                                                 AwsCredentials credentials);

// SigV4 URI encoding: RFC 3986 unreserved characters stay, everything else is %XX
// (upper case); '/' stays only with keep_slash (object paths).
std::string uri_encode(std::string_view text, bool keep_slash);

// The canonical SigV4 query string: pairs encoded, sorted by name then value, '&'-joined.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> query);

// One readable message for a failed S3 response: "<what>: HTTP <status> <Code>: <Message>".
Error s3_http_error(std::string_view what, const S3Response& response);

}  // namespace pgopipe::store
