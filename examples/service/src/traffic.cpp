// SPDX-License-Identifier: Apache-2.0
#include "traffic.hpp"

namespace svc {

namespace {

// Weights per Kind, in enum order.
//                           Usr Head Ord Evl KvG KvP KvD Sta Sea Stc Hlt Met Adm 404 405 Bad
constexpr Mix kDefault = {{250, 10, 140, 300, 90, 40, 10, 100, 20, 20, 20, 4, 2, 6, 3, 5}};
constexpr Mix kCompute = {{80, 2, 220, 450, 40, 10, 2, 160, 20, 5, 5, 1, 0, 2, 1, 2}};
constexpr Mix kStorage = {{300, 30, 40, 60, 300, 150, 30, 20, 40, 20, 5, 2, 1, 3, 1, 3}};

constexpr std::string_view kExpressions[] = {
    "(x * 31 + y) % 1009",
    "x > y ? x - y : y - x",
    "min(x, y) + max(y, z) * 2",
    "hash(x + i) % 100",
    "(x & 255) ^ (y << 3)",
    "clamp(x * i - y, 0 - 500, 500)",
    "isqrt(x * x + y * y)",
    "(i % 3 == 0) && (x > 10) || (y < 5)",
    "pow(x % 7, 3) + z",
    "((x + y) * (x - y)) % (z + 1000)",
    "i < 10 ? i * x : (i < 20 ? i * y : i * z)",
    "abs(x - 500) + abs(y - 500) + abs(z - 500)",
    "(x | y) & ~z",
    "x * 3 + y * 5 + z * 7 + i",
    "(x >> 2) + (y >> 3) + (z >> 4)",
    "max(x, max(y, z)) - min(x, min(y, z))",
    "(x + i) % 13 == 0 ? 1 : 0",
    "hash(x) % 7 + hash(y) % 11",
    "x > 100 && y > 100 && z > 100",
    "((i * i) % 17 + x) * 2 - y",
};

constexpr std::string_view kFilters[] = {
    "amount > 5000",
    "status == 2 && qty > 1",
    "amount * qty > 20000 || day % 7 == 0",
    "status != 3 && amount < 2000",
    "day > 100 && day < 200",
    "qty >= 2 ? amount > 1000 : amount > 8000",
    "(id + uid) % 3 == 0",
};

constexpr std::string_view kWords[] = {"blue", "Lamp", "STEEL", "drone", "Eco", "pen",
                                       "giant", "Camera", "quiet", "zzz"};
constexpr std::string_view kStatsOps[] = {"sum", "mean", "min", "max", "var", "median"};
constexpr std::string_view kVarNames[] = {"x", "y", "z", "i"};

void append_int(std::string& out, std::int64_t v) { out += std::to_string(v); }

void percent_encode(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (plain) {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 15]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
    }
  }
}

}  // namespace

bool find_mix(std::string_view name, Mix& mix) {
  if (name == "default") mix = kDefault;
  else if (name == "compute") mix = kCompute;
  else if (name == "storage") mix = kStorage;
  else return false;
  return true;
}

std::string_view mix_names() { return "default, compute, storage"; }

Traffic::Traffic(std::uint64_t seed, const Mix& mix) : rng_(seed * 0x2545F4914F6CDD1DULL + 1) {
  for (std::size_t i = 0; i < mix.size(); ++i) {
    total_ += mix[i];
    cumulative_[i] = total_;
  }
}

Kind Traffic::pick_kind() {
  auto r = static_cast<unsigned>(rng_.below(total_));
  for (std::size_t i = 0; i < cumulative_.size(); ++i) {
    if (r < cumulative_[i]) return static_cast<Kind>(i);
  }
  return Kind::Health;
}

void Traffic::append_request(std::string& out, std::string_view method, std::string_view target,
                             std::string_view body) {
  out += method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\nHost: shop.example.org\r\nUser-Agent: pgopipe-traffic/1\r\n";
  out += rng_.chance(950) ? "Accept: application/json\r\n" : "Accept: */*\r\n";
  out += "X-Request-Id: req-";
  append_int(out, static_cast<std::int64_t>(sequence_));
  out += "\r\n";
  if (rng_.chance(20)) out += "Connection: close\r\n";
  if (!body.empty()) {
    out += "Content-Type: application/json\r\nContent-Length: ";
    append_int(out, static_cast<std::int64_t>(body.size()));
    out += "\r\n";
  }
  out += "\r\n";
  out += body;
}

void Traffic::random_expr(std::string& out, int depth) {
  if (depth == 0 || rng_.chance(250)) {
    if (rng_.chance(500)) {
      out += kVarNames[rng_.below(std::size(kVarNames))];
    } else {
      append_int(out, rng_.range(1, 999));
    }
    return;
  }
  static constexpr std::string_view kOps[] = {" + ", " - ", " * ", " % ", " < ", " == ", " ^ "};
  switch (rng_.below(10)) {
    case 0:
      out += "max(";
      random_expr(out, depth - 1);
      out += ", ";
      random_expr(out, depth - 1);
      out += ")";
      return;
    case 1:
      out += "(";
      random_expr(out, depth - 1);
      out += " > 50 ? ";
      random_expr(out, depth - 1);
      out += " : ";
      random_expr(out, depth - 1);
      out += ")";
      return;
    default: {
      std::string_view op = kOps[rng_.below(std::size(kOps))];
      out += "(";
      random_expr(out, depth - 1);
      out += op;
      // A modulus by a variable can be zero: that is the service's error path.
      if (op == " % " && rng_.chance(970)) append_int(out, rng_.range(2, 97));
      else random_expr(out, depth - 1);
      out += ")";
    }
  }
}

void Traffic::eval_body(std::string& body) {
  body += "{\"expr\": \"";
  if (rng_.chance(800)) {
    body += kExpressions[rng_.below(std::size(kExpressions))];
  } else {
    random_expr(body, 4);
  }
  body += "\", \"vars\": {\"x\": ";
  append_int(body, rng_.range(0, 1000));
  body += ", \"y\": ";
  append_int(body, rng_.range(0, 1000));
  body += ", \"z\": ";
  append_int(body, rng_.range(0, 1000));
  body += "}, \"repeat\": ";
  append_int(body, rng_.range(48, 160));
  body += "}";
}

void Traffic::stats_body(std::string& body) {
  body += "{\"values\": [";
  auto n = rng_.range(8, 48);
  for (std::int64_t i = 0; i < n; ++i) {
    if (i > 0) body += ", ";
    if (rng_.chance(700)) {
      append_int(body, rng_.range(-1000, 100000));
    } else {
      append_int(body, rng_.range(0, 9999));
      body += '.';
      append_int(body, rng_.range(10, 99));
    }
  }
  body += "], \"ops\": [";
  auto ops = rng_.range(1, 4);
  for (std::int64_t i = 0; i < ops; ++i) {
    if (i > 0) body += ", ";
    body += '"';
    body += kStatsOps[i == 0 ? 0 : rng_.below(std::size(kStatsOps))];
    body += '"';
  }
  body += "]}";
}

void Traffic::next(std::string& out) {
  out.clear();
  body_.clear();
  target_.clear();
  ++sequence_;
  // Popular users and keys are requested far more often than the rest.
  auto user = rng_.chance(700) ? rng_.range(1, 200) : rng_.range(1, 5200);
  auto key = rng_.chance(800) ? rng_.range(0, 99) : rng_.range(0, 2000);
  switch (pick_kind()) {
    case Kind::User:
    case Kind::UserHead:
      target_ = "/api/v1/users/" + std::to_string(user);
      append_request(out, rng_.chance(40) ? "HEAD" : "GET", target_, {});
      return;
    case Kind::Orders:
      target_ = "/api/v1/users/" + std::to_string(user) + "/orders?limit=";
      append_int(target_, rng_.range(5, 30));
      if (rng_.chance(900)) {
        target_ += "&filter=";
        percent_encode(target_, kFilters[rng_.below(std::size(kFilters))]);
      }
      append_request(out, "GET", target_, {});
      return;
    case Kind::Eval:
      eval_body(body_);
      append_request(out, "POST", "/api/v1/eval", body_);
      return;
    case Kind::KvGet:
      append_request(out, "GET", "/api/v1/kv/key" + std::to_string(key), {});
      return;
    case Kind::KvPut:
      body_ = "{\"value\": \"v-" + std::to_string(rng_.next() % 100000) + "\", \"ttl\": 60}";
      append_request(out, "PUT", "/api/v1/kv/key" + std::to_string(key), body_);
      return;
    case Kind::KvDelete:
      append_request(out, "DELETE", "/api/v1/kv/key" + std::to_string(key), {});
      return;
    case Kind::Stats:
      stats_body(body_);
      append_request(out, "POST", "/api/v1/stats", body_);
      return;
    case Kind::Search:
      target_ = "/api/v1/search?q=";
      percent_encode(target_, kWords[rng_.below(std::size(kWords))]);
      target_ += "&limit=";
      append_int(target_, rng_.range(3, 20));
      append_request(out, "GET", target_, {});
      return;
    case Kind::Static:
      target_ = "/static/css/site-" + std::to_string(rng_.below(20)) + ".css";
      append_request(out, "GET", target_, {});
      return;
    case Kind::Health: append_request(out, "GET", "/health", {}); return;
    case Kind::Metrics: append_request(out, "GET", "/metrics", {}); return;
    case Kind::Admin: append_request(out, "GET", "/admin/config", {}); return;
    case Kind::NotFound: append_request(out, "GET", "/api/v2/unknown", {}); return;
    case Kind::WrongMethod: append_request(out, "DELETE", "/api/v1/eval", {}); return;
    case Kind::Malformed:
    case Kind::Count:
      out = rng_.chance(500) ? "BREW /coffee HTTP/1.1\r\n\r\n" : "GET /broken\r\n";
      return;
  }
}

}  // namespace svc
