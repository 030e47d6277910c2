// SPDX-License-Identifier: Apache-2.0
// The metadata that travels with every profile object in the store.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/formats/format.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe {

using Labels = std::map<std::string, std::string>;

struct ProfileMeta {
  std::string app;
  ProfileFormat format = ProfileFormat::Unknown;  // the family ("kind") follows from it
  TimePoint collected_at{};                       // start of the collection interval
  Duration duration{0};                           // length of the collection interval, 0 if unknown
  std::string build_id;                           // hex GNU build ID of the profiled binary, may be empty
  std::string host;
  Labels labels;
  std::string sha256;  // lower-case hex digest of the bytes
  uint64_t size = 0;   // bytes

  [[nodiscard]] ProfileFamily family() const { return family_of(format); }
};

// Checks every field for what may appear in keys and headers (app, host, build id, labels).
Result<void> validate(const ProfileMeta& meta);

// JSON form used by the local store's sidecar files and by `--json` output.
nlohmann::json to_json(const ProfileMeta& meta);

// Parses to_json() output; `where` names the source (file or key) in errors.
Result<ProfileMeta> meta_from_json(const nlohmann::json& json, std::string_view where);

// Flat string form for HTTP headers (names without the "x-amz-meta-" prefix, lower case,
// '-' separated; values ASCII, labels percent-encoded in one "labels" header).
std::map<std::string, std::string> to_header_map(const ProfileMeta& meta);

// Parses to_header_map() output; `where` names the source in errors.
Result<ProfileMeta> meta_from_header_map(const std::map<std::string, std::string>& headers,
                                         std::string_view where);

// Parses "k=v" label arguments, validating both sides.
Result<std::pair<std::string, std::string>> parse_label(std::string_view text);

// Parses every "k=v" of `items` (repeated --label flags); the first value given for a key wins.
Result<Labels> parse_labels(const std::vector<std::string>& items);

}  // namespace pgopipe
