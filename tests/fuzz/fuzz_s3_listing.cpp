// SPDX-License-Identifier: Apache-2.0
// A listing is a conversation with a server we do not trust: the input is a sequence of
// ListObjectsV2 pages separated by NUL bytes, fed to the walk that `ls` uses. Whatever the
// pages say, the walk must stop (no token accepted twice, never beyond its page cap) and
// hand on only keys under the requested prefix that pass the key rules.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/names.hpp"
#include "core/store/s3_listing.hpp"
#include "core/store/s3_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr size_t kMaxPages = 8;
  pgopipe::store::ListingWalk walk("store/", "store/web/2026/", "fuzz listing", kMaxPages);
  std::vector<std::string> keys;
  std::vector<pgopipe::store::DamagedObject> damaged;
  std::set<std::string> tokens;
  size_t pos = 0;
  while (pos <= input.size()) {
    size_t end = input.find('\0', pos);
    if (end == std::string_view::npos) end = input.size();
    auto page = pgopipe::store::parse_list_objects_v2(input.substr(pos, end - pos));
    pos = end + 1;
    if (!page) break;
    auto token = walk.next(*page, keys, &damaged);
    if (!token || token->empty()) break;
    if (!tokens.insert(*token).second) __builtin_trap();  // a repeated token was accepted
    if (walk.pages() >= kMaxPages) __builtin_trap();       // the cap did not stop the walk
  }
  for (const auto& key : keys) {
    if (!key.starts_with("web/2026/") || !pgopipe::validate_key(key)) __builtin_trap();
  }
  return 0;
}
