// SPDX-License-Identifier: Apache-2.0
// Object key layout shared by every backend:
//   <app>/YYYY/MM/DD/HH/<YYYYMMDDTHHMMSS.nnnnnnnnnZ>-<host>-<unique>.<ext>
// Time is the collection time; the unique part keeps concurrent collectors apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace pgopipe::store {

// Key for a new object of `meta`; `unique` is a random token (see random_hex()).
std::string object_key(const ProfileMeta& meta, std::string_view unique);

// Key prefixes ("<app>/YYYY/MM/DD/" or "<app>/YYYY/MM/DD/HH/") that together cover every
// object of `app` collected in `window`, so listing touches only the partitions needed.
std::vector<std::string> partition_prefixes(std::string_view app, const Window& window);

struct ParsedKey {
  std::string app;
  TimePoint collected_at;
  std::string host;
};

// Parses an object key made by object_key(); other keys are an Integrity error naming it.
Result<ParsedKey> parse_object_key(std::string_view key);

}  // namespace pgopipe::store
