// SPDX-License-Identifier: Apache-2.0
// Key-value store, static assets, health, metrics and admin endpoints, plus helpers.
#include <charconv>
#include <memory>

#include "handlers.hpp"
#include "json.hpp"

namespace svc {

void error_response(Response& res, int status, std::string_view message) {
  res.status = status;
  res.body.clear();
  StringSink sink(res.body);
  JsonWriter w(sink);
  w.begin_object();
  w.key("error"); w.string(message);
  w.key("status"); w.integer(status);
  w.end_object();
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size()) {
      int v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec == std::errc() && r.ptr == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
      } else {
        out.push_back(c);
      }
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::int64_t to_int(std::string_view s, std::int64_t fallback) {
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return fallback;
  return v;
}

namespace {

class KvGetHandler final : public Handler {
 public:
  explicit KvGetHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "kv_get"; }
  void handle(const Request&, const Params& params, Response& res) override {
    auto it = s_.kv.find(std::string(params.get("key")));
    if (it == s_.kv.end()) return error_response(res, 404, "no such key");
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("key"); w.string(it->first);
    w.key("value"); w.string(it->second);
    w.end_object();
  }

 private:
  AppState& s_;
};

class KvPutHandler final : public Handler {
 public:
  explicit KvPutHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "kv_put"; }
  void handle(const Request& req, const Params& params, Response& res) override {
    Value doc;
    ParseError perr;
    if (!parse_json(req.body, doc, perr)) return error_response(res, 400, perr.message);
    const Value* value = doc.find("value");
    if (value == nullptr) return error_response(res, 400, "missing member 'value'");
    std::string text;
    if (value->kind == Value::Kind::String) {
      text = value->text;
    } else {
      StringSink sink(text);
      JsonWriter(sink).value(*value);
    }
    if (text.size() > 4096) return error_response(res, 413, "value too large");
    if (s_.kv.size() > 20000) s_.kv.clear();  // crude eviction keeps memory bounded
    auto [it, inserted] = s_.kv.insert_or_assign(std::string(params.get("key")), std::move(text));
    res.status = inserted ? 201 : 200;
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("key"); w.string(it->first);
    w.key("bytes"); w.integer(static_cast<std::int64_t>(it->second.size()));
    w.end_object();
  }

 private:
  AppState& s_;
};

class KvDeleteHandler final : public Handler {
 public:
  explicit KvDeleteHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "kv_delete"; }
  void handle(const Request&, const Params& params, Response& res) override {
    if (s_.kv.erase(std::string(params.get("key"))) == 0) {
      return error_response(res, 404, "no such key");
    }
    res.status = 204;
  }

 private:
  AppState& s_;
};

// Serves generated "assets" with ETags; If-None-Match gives 304.
class StaticHandler final : public Handler {
 public:
  std::string_view name() const override { return "static"; }
  void handle(const Request& req, const Params& params, Response& res) override {
    std::string_view path = params.get("path");
    if (path.find("..") != std::string_view::npos) return error_response(res, 404, "bad path");
    res.content_type = path.ends_with(".css") ? "text/css" : "text/plain";
    std::string content;
    std::uint64_t h = fnv1a(path);
    for (int line = 0; line < 8; ++line) {
      content += "/* ";
      content += path;
      content += " line ";
      content += std::to_string(line);
      content += " ";
      content += std::to_string(h % 997);
      content += " */\n";
      h = fnv1a(content, h);
    }
    HashingSink hasher;
    hasher.write(content);
    std::string etag(1, '"');
    etag += std::to_string(hasher.hash() % 1000000007);
    etag += '"';
    res.headers.emplace_back("ETag", etag);
    if (req.header("if-none-match") == etag) {
      res.status = 304;
      return;
    }
    res.body = std::move(content);
  }
};

class HealthHandler final : public Handler {
 public:
  std::string_view name() const override { return "health"; }
  void handle(const Request&, const Params&, Response& res) override {
    res.body = "{\"status\":\"ok\"}";
  }
};

class MetricsHandler final : public Handler {
 public:
  explicit MetricsHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "metrics"; }
  void handle(const Request&, const Params&, Response& res) override {
    res.content_type = "text/plain";
    for (const auto& [metric, n] : s_.counters) {
      res.body += "requests_total{handler=\"";
      res.body += metric;
      res.body += "\"} ";
      res.body += std::to_string(n);
      res.body += '\n';
    }
    res.body += "program_cache_hits " + std::to_string(s_.programs.hits()) + "\n";
    res.body += "program_cache_misses " + std::to_string(s_.programs.misses()) + "\n";
    res.body += "kv_keys " + std::to_string(s_.kv.size()) + "\n";
  }

 private:
  AppState& s_;
};

class AdminHandler final : public Handler {
 public:
  explicit AdminHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "admin"; }
  void handle(const Request& req, const Params& params, Response& res) override {
    std::string_view action = params.get("action");
    StringSink sink(res.body);
    JsonWriter w(sink);
    if (action == "reload" && req.method == Method::Post) {
      s_.populate();
      ++s_.generation;
      w.begin_object();
      w.key("reloaded"); w.boolean(true);
      w.key("generation"); w.integer(static_cast<std::int64_t>(s_.generation));
      w.end_object();
    } else if (action == "config") {
      w.begin_object();
      w.key("users"); w.integer(static_cast<std::int64_t>(s_.users.size()));
      w.key("catalog"); w.integer(static_cast<std::int64_t>(s_.catalog.size()));
      w.key("generation"); w.integer(static_cast<std::int64_t>(s_.generation));
      w.end_object();
    } else {
      error_response(res, 404, "unknown admin action");
    }
  }

 private:
  AppState& s_;
};

}  // namespace

void register_misc_routes(Router& router, AppState& state) {
  router.add(Method::Get, "/health", std::make_shared<HealthHandler>());
  router.add(Method::Get, "/metrics", std::make_shared<MetricsHandler>(state));
  auto admin = std::make_shared<AdminHandler>(state);
  router.add(Method::Get, "/admin/:action", admin);
  router.add(Method::Post, "/admin/:action", admin);
  router.add(Method::Get, "/static/*path", std::make_shared<StaticHandler>());
  router.add(Method::Get, "/api/v1/kv/:key", std::make_shared<KvGetHandler>(state));
  router.add(Method::Put, "/api/v1/kv/:key", std::make_shared<KvPutHandler>(state));
  router.add(Method::Delete, "/api/v1/kv/:key", std::make_shared<KvDeleteHandler>(state));
}

}  // namespace svc
