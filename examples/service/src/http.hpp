// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1-style request parsing and response serialization (text in, text out).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace svc {

enum class Method : std::uint8_t { Get, Head, Post, Put, Delete, Options, Unknown };

struct Request {
  Method method = Method::Unknown;
  std::string_view target;  // path plus query, as sent
  std::string_view path;
  std::string_view query;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  std::size_t content_length = 0;
  bool keep_alive = true;
  bool wants_json = true;

  // Returns the first header with this name (case-insensitive), or an empty view.
  std::string_view header(std::string_view name) const;
  // Returns the query parameter value (raw, not percent-decoded), or an empty view.
  std::string_view query_param(std::string_view name) const;
};

// Parses raw into req (views point into raw); on failure returns false and fills error.
bool parse_request(std::string_view raw, Request& req, std::string& error);

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool head_only = false;        // HEAD: send headers only
  std::size_t head_length = 0;   // Content-Length for head_only responses

  void reset();
};

// Serializes res into out (cleared first) as an HTTP/1.1 response.
void serialize_response(const Response& res, std::string& out);

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace svc
