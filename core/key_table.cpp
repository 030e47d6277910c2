// SPDX-License-Identifier: Apache-2.0
#include "core/key_table.hpp"

#include "core/fs.hpp"

namespace pgopipe {

namespace fs = std::filesystem;

Error key_error(const KeyAt& at, std::string_view why) {
  return make_error(ErrorCode::Config, "{}: {}: {}", at.where, at.key, why);
}

Error bad_value(const KeyAt& at, std::string_view text, std::string_view expected) {
  return key_error(at, fmt::format("'{}' is not valid: expected {}", text, expected));
}

Result<bool> parse_bool(std::string_view v, const KeyAt& at) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return bad_value(at, v, "true or false");
}

Result<Duration> parse_positive_duration(std::string_view text, const KeyAt& at, std::string_view example) {
  auto d = parse_duration(std::string(text));
  if (!d || *d <= Duration{0}) return bad_value(at, text, fmt::format("a duration such as {}", example));
  return *d;
}

Result<YAML::Node> load_yaml_mapping(const fs::path& file, std::string_view what) {
  PGO_TRY_ASSIGN(std::string text, read_file(file, 1 << 20));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::Config, "{}:{}: invalid YAML: {}", file.string(), e.mark.line + 1, e.msg);
  }
  if (!root.IsNull() && !root.IsMap()) {
    return make_error(ErrorCode::Config, "{}:1: {} must be a mapping of keys", file.string(), what);
  }
  return root;
}

Result<std::string> yaml_scalar(const YAML::Node& v, const KeyAt& at) {
  if (!v.IsScalar()) {
    return key_error(at, fmt::format("expected a single value, not a {}",
                                     v.IsMap() ? "mapping" : v.IsSequence() ? "list" : "null"));
  }
  return v.Scalar();
}

Result<std::vector<std::string>> yaml_string_list(const YAML::Node& v, const KeyAt& at) {
  if (!v.IsSequence()) return key_error(at, "expected a list of strings, e.g. [a, b]");
  std::vector<std::string> out;
  for (const auto& item : v) {
    PGO_TRY_ASSIGN(std::string s, yaml_scalar(item, KeyAt{at.where, at.key + "[]"}));
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

Result<void> walk(const YAML::Node& node, const fs::path& file, const YamlKeyFn& on_key,
                  const std::string& prefix) {
  for (const auto& item : node) {
    KeyAt at{fmt::format("{}:{}", file.string(), item.first.Mark().line + 1), ""};
    if (!item.first.IsScalar()) return make_error(ErrorCode::Config, "{}: keys must be strings", at.where);
    at.key = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
    PGO_TRY_ASSIGN(bool section, on_key(item.second, at));
    if (!section) continue;
    if (!item.second.IsMap()) return key_error(at, fmt::format("expected a mapping of {} settings", at.key));
    PGO_TRY(walk(item.second, file, on_key, at.key));
  }
  return success();
}

}  // namespace

Result<void> walk_yaml_mapping(const YAML::Node& node, const fs::path& file, const YamlKeyFn& on_key,
                               const std::string& prefix) {
  try {
    return walk(node, file, on_key, prefix);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::Config, "{}:{}: {}", file.string(), e.mark.line + 1, e.msg);
  }
}

}  // namespace pgopipe
