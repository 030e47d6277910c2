// SPDX-License-Identifier: Apache-2.0
// S3 ListObjectsV2 listings and error bodies come from whatever server the store URL names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/store/s3_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto page = pgopipe::store::parse_list_objects_v2(xml);
  if (page) {
    // A truncated page must say where the next one starts (else ls would loop forever).
    if (page->truncated && page->next_continuation_token.empty()) __builtin_trap();
  } else if (page.error().message.empty()) {
    __builtin_trap();
  }
  (void)pgopipe::store::parse_s3_error(xml);
  // Decoding never grows the text: every entity is longer than what it stands for.
  if (pgopipe::store::xml_unescape(xml).size() > xml.size()) __builtin_trap();
  return 0;
}
