// SPDX-License-Identifier: Apache-2.0
#include "http.hpp"

#include <charconv>

namespace svc {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

std::string_view Request::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

namespace {

Method parse_method(std::string_view m) {
  switch (m.size()) {
    case 3:
      if (m == "GET") return Method::Get;
      if (m == "PUT") return Method::Put;
      break;
    case 4:
      if (m == "POST") return Method::Post;
      if (m == "HEAD") return Method::Head;
      break;
    case 6:
      if (m == "DELETE") return Method::Delete;
      break;
    case 7:
      if (m == "OPTIONS") return Method::Options;
      break;
    default: break;
  }
  return Method::Unknown;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool bad(std::string& error, std::string_view what, std::string_view where) {
  error.assign(what);
  error += ": '";
  error.append(where.substr(0, 40));
  error += "'";
  return false;
}

bool apply_header(Request& req, std::string_view name, std::string_view value,
                  std::string& error) {
  // Only a few headers change how the request is handled; dispatch on the first letter.
  switch (name.empty() ? '\0' : name[0] | 0x20) {
    case 'c':
      if (iequals(name, "content-length")) {
        auto r = std::from_chars(value.data(), value.data() + value.size(), req.content_length);
        if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
          return bad(error, "malformed Content-Length", value);
        }
      } else if (iequals(name, "connection")) {
        req.keep_alive = !iequals(value, "close");
      }
      break;
    case 'a':
      if (iequals(name, "accept")) {
        req.wants_json = value.find("json") != std::string_view::npos || value == "*/*";
      }
      break;
    default: break;
  }
  return true;
}

}  // namespace

bool parse_request(std::string_view raw, Request& req, std::string& error) {
  req = Request{};
  std::size_t line_end = raw.find("\r\n");
  if (line_end == std::string_view::npos) return bad(error, "no request line", raw);
  std::string_view line = raw.substr(0, line_end);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return bad(error, "malformed request line", line);
  req.method = parse_method(line.substr(0, sp1));
  if (req.method == Method::Unknown) return bad(error, "unknown method", line);
  if (line.substr(sp2 + 1) != "HTTP/1.1" && line.substr(sp2 + 1) != "HTTP/1.0") {
    return bad(error, "unsupported protocol", line);
  }
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (req.target.empty() || req.target[0] != '/') return bad(error, "bad request target", line);
  std::size_t qmark = req.target.find('?');
  req.path = req.target.substr(0, qmark);
  if (qmark != std::string_view::npos) req.query = req.target.substr(qmark + 1);

  std::size_t pos = line_end + 2;
  while (true) {
    std::size_t end = raw.find("\r\n", pos);
    if (end == std::string_view::npos) return bad(error, "unterminated headers", raw.substr(pos));
    if (end == pos) {
      pos += 2;
      break;
    }
    std::string_view h = raw.substr(pos, end - pos);
    std::size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return bad(error, "malformed header", h);
    std::string_view name = h.substr(0, colon);
    std::string_view value = trim(h.substr(colon + 1));
    req.headers.emplace_back(name, value);
    if (!apply_header(req, name, value, error)) return false;
    pos = end + 2;
  }
  req.body = raw.substr(pos);
  if (req.body.size() != req.content_length) {
    return bad(error, "body length does not match Content-Length", req.body);
  }
  return true;
}

void Response::reset() {
  status = 200;
  content_type = "application/json";
  headers.clear();
  body.clear();
  head_only = false;
  head_length = 0;
}

namespace {

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

void append_number(std::string& out, std::size_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void serialize_response(const Response& res, std::string& out) {
  out.clear();
  out += "HTTP/1.1 ";
  append_number(out, static_cast<std::size_t>(res.status));
  out += ' ';
  out += reason(res.status);
  out += "\r\nContent-Type: ";
  out += res.content_type;
  out += "\r\nContent-Length: ";
  append_number(out, res.head_only ? res.head_length : res.body.size());
  out += "\r\n";
  for (const auto& [k, v] : res.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  if (!res.head_only) out += res.body;
}

}  // namespace svc
