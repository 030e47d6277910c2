// SPDX-License-Identifier: Apache-2.0
// Object metadata comes from sidecar JSON files and x-amz-meta-* headers of a remote store.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    auto meta = pgopipe::meta_from_json(json, "fuzz");
    if (meta) {
      // Whatever parses must survive both round trips unchanged.
      auto again = pgopipe::meta_from_json(pgopipe::to_json(*meta), "fuzz");
      auto headers = pgopipe::meta_from_header_map(pgopipe::to_header_map(*meta), "fuzz");
      if (!again || !headers || headers->labels != meta->labels) __builtin_trap();
    }
  }
  // The same bytes as "name: value" header lines.
  std::map<std::string, std::string> headers;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) headers[line.substr(0, colon)] = line.substr(colon + 1);
    pos = end + 1;
  }
  (void)pgopipe::meta_from_header_map(headers, "fuzz");
  return 0;
}
