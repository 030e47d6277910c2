// SPDX-License-Identifier: Apache-2.0
#include "core/metadata.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "core/names.hpp"

namespace pgopipe {
namespace {

using nlohmann::json;

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view s, std::string_view where) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= s.size()) {
      return make_error(ErrorCode::Integrity, "{}: bad percent-encoding in labels", where);
    }
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    if (ec != std::errc{} || p != s.data() + i + 3) {
      return make_error(ErrorCode::Integrity, "{}: bad percent-encoding in labels", where);
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

Result<int64_t> parse_int(std::string_view s, std::string_view field, std::string_view where) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) {
    return make_error(ErrorCode::Integrity, "{}: metadata field '{}' is not an integer: '{}'",
                      where, field, printable(s));
  }
  return v;
}

}  // namespace

Result<void> validate(const ProfileMeta& meta) {
  PGO_TRY(validate_app(meta.app));
  if (!meta.host.empty()) PGO_TRY(validate_token(meta.host, "host"));
  if (!meta.build_id.empty()) PGO_TRY(validate_token(meta.build_id, "build id"));
  for (const auto& [k, v] : meta.labels) {
    PGO_TRY(validate_label_key(k));
    PGO_TRY(validate_label_value(k, v));
  }
  if (meta.duration < Duration{0}) return make_error(ErrorCode::Usage, "negative duration");
  return success();
}

json to_json(const ProfileMeta& meta) {
  return json{
      {"app", meta.app},
      {"kind", std::string(to_string(meta.family()))},
      {"format", std::string(to_string(meta.format))},
      {"collected_at", format_rfc3339(meta.collected_at)},
      {"duration_ns", meta.duration.count()},
      {"build_id", meta.build_id},
      {"host", meta.host},
      {"labels", meta.labels},
      {"sha256", meta.sha256},
      {"size", meta.size},
  };
}

Result<ProfileMeta> meta_from_json(const json& j, std::string_view where) {
  auto bad = [&](std::string_view field) {
    return make_error(ErrorCode::Integrity, "{}: metadata field '{}' is missing or has the wrong type",
                      where, field);
  };
  if (!j.is_object()) return make_error(ErrorCode::Integrity, "{}: metadata is not an object", where);
  ProfileMeta m;
  auto get_string = [&](const char* field, std::string& out) -> bool {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  std::string format, collected_at;
  if (!get_string("app", m.app)) return bad("app");
  if (!get_string("format", format)) return bad("format");
  if (!get_string("collected_at", collected_at)) return bad("collected_at");
  if (!get_string("build_id", m.build_id)) return bad("build_id");
  if (!get_string("host", m.host)) return bad("host");
  if (!get_string("sha256", m.sha256)) return bad("sha256");
  auto dur = j.find("duration_ns");
  if (dur == j.end() || !dur->is_number_integer()) return bad("duration_ns");
  m.duration = Duration{dur->get<int64_t>()};
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned()) return bad("size");
  m.size = size->get<uint64_t>();
  auto labels = j.find("labels");
  if (labels == j.end() || !labels->is_object()) return bad("labels");
  for (const auto& [k, v] : labels->items()) {
    if (!v.is_string()) return bad("labels." + k);
    m.labels[k] = v.get<std::string>();
  }
  auto f = parse_format(format);
  if (!f) return make_error(ErrorCode::Integrity, "{}: {}", where, f.error().message);
  m.format = *f;
  auto t = parse_time(collected_at, TimePoint{});
  if (!t) return make_error(ErrorCode::Integrity, "{}: collected_at: {}", where, t.error().message);
  m.collected_at = *t;
  auto v = validate(m);
  if (!v) return make_error(ErrorCode::Integrity, "{}: {}", where, v.error().message);
  return m;
}

std::map<std::string, std::string> to_header_map(const ProfileMeta& meta) {
  std::string labels;
  for (const auto& [k, v] : meta.labels) {
    if (!labels.empty()) labels += ',';
    labels += percent_encode(k) + '=' + percent_encode(v);
  }
  return {
      {"app", meta.app},
      {"format", std::string(to_string(meta.format))},
      {"collected-at", format_rfc3339(meta.collected_at)},
      {"duration-ns", std::to_string(meta.duration.count())},
      {"build-id", meta.build_id},
      {"host", meta.host},
      {"labels", labels},
      {"sha256", meta.sha256},
      {"size", std::to_string(meta.size)},
  };
}

Result<ProfileMeta> meta_from_header_map(const std::map<std::string, std::string>& h,
                                         std::string_view where) {
  auto field = [&](const char* name) -> const std::string* {
    auto it = h.find(name);
    return it == h.end() ? nullptr : &it->second;
  };
  for (const char* required : {"app", "format", "collected-at", "sha256", "size"}) {
    if (!field(required)) {
      return make_error(ErrorCode::Integrity, "{}: metadata header 'x-amz-meta-{}' is missing",
                        where, required);
    }
  }
  json j{{"app", *field("app")},
         {"format", *field("format")},
         {"collected_at", *field("collected-at")},
         {"build_id", field("build-id") ? *field("build-id") : ""},
         {"host", field("host") ? *field("host") : ""},
         {"sha256", *field("sha256")},
         {"labels", json::object()}};
  PGO_TRY_ASSIGN(int64_t size, parse_int(*field("size"), "size", where));
  if (size < 0) return make_error(ErrorCode::Integrity, "{}: negative size", where);
  j["size"] = static_cast<uint64_t>(size);
  int64_t duration = 0;
  if (const auto* d = field("duration-ns")) {
    PGO_TRY_ASSIGN(duration, parse_int(*d, "duration-ns", where));
  }
  j["duration_ns"] = duration;
  if (const auto* labels = field("labels"); labels && !labels->empty()) {
    std::string_view rest = *labels;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        return make_error(ErrorCode::Integrity, "{}: label '{}' has no '='", where, printable(item));
      }
      PGO_TRY_ASSIGN(std::string k, percent_decode(item.substr(0, eq), where));
      PGO_TRY_ASSIGN(std::string v, percent_decode(item.substr(eq + 1), where));
      j["labels"][k] = v;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return meta_from_json(j, where);
}

Result<std::pair<std::string, std::string>> parse_label(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return make_error(ErrorCode::Usage, "label '{}' is not of the form key=value", printable(text));
  }
  std::string key(text.substr(0, eq)), value(text.substr(eq + 1));
  PGO_TRY(validate_label_key(key));
  PGO_TRY(validate_label_value(key, value));
  return std::pair{key, value};
}

Result<Labels> parse_labels(const std::vector<std::string>& items) {
  Labels labels;
  for (const auto& item : items) {
    PGO_TRY_ASSIGN(auto kv, parse_label(item));
    labels.insert(std::move(kv));
  }
  return labels;
}

}  // namespace pgopipe
