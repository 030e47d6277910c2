// SPDX-License-Identifier: Apache-2.0
// What the config readers (core/config.cpp for pgopipe.yaml, rebuild/rebuild_config.cpp for
// pgo.yaml) share: loading a YAML mapping, walking its dotted keys, and turning scalars,
// numbers, booleans, durations and string lists into values, each error naming where the
// value came from ("pgo.yaml:12", "environment PGOPIPE_STORE", "flag --store") and its key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe {

// Where a value sits and its dotted key, for every message.
struct KeyAt {
  std::string where;  // "pgo.yaml:12", "environment PGOPIPE_STORE", "flag --store"
  std::string key;    // "s3.retries"
};

// A Config error "<where>: <key>: <why>".
Error key_error(const KeyAt& at, std::string_view why);

// A Config error "<where>: <key>: '<text>' is not valid: expected <expected>".
Error bad_value(const KeyAt& at, std::string_view text, std::string_view expected);

// `text` as a number in [lo, hi]; bad_value otherwise.
template <typename T>
Result<T> parse_number(std::string_view text, const KeyAt& at, T lo, T hi) {
  T out{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || p != text.data() + text.size() || out < lo || out > hi) {
    return bad_value(at, text,
                     fmt::format("{} from {} to {}", std::is_integral_v<T> ? "an integer" : "a number", lo, hi));
  }
  return out;
}

// true/1/yes/on or false/0/no/off; bad_value otherwise.
Result<bool> parse_bool(std::string_view text, const KeyAt& at);

// A positive duration ("30s", "6h"); bad_value naming `example` otherwise.
Result<Duration> parse_positive_duration(std::string_view text, const KeyAt& at, std::string_view example);

// Reads `file` as YAML whose top level must be a mapping (`what` names the file in that
// message); an empty file is a null node. Config errors name file:line.
Result<YAML::Node> load_yaml_mapping(const std::filesystem::path& file, std::string_view what);

// The value of a scalar node; "expected a single value, not a list" and the like otherwise.
Result<std::string> yaml_scalar(const YAML::Node& value, const KeyAt& at);

// A sequence of scalars; "expected a list of strings" otherwise.
Result<std::vector<std::string>> yaml_string_list(const YAML::Node& value, const KeyAt& at);

// Called for each key of a mapping with its value and place (`at.key` dotted from the
// root); returns true when the key is a section, whose mapping is then walked in turn.
using YamlKeyFn = std::function<Result<bool>(const YAML::Node& value, const KeyAt& at)>;

// Walks the mapping `node` of `file` depth-first. Keys must be strings; a section that is not
// a mapping is an error "expected a mapping of <key> settings".
Result<void> walk_yaml_mapping(const YAML::Node& node, const std::filesystem::path& file,
                               const YamlKeyFn& on_key, const std::string& prefix = "");

}  // namespace pgopipe
