// SPDX-License-Identifier: Apache-2.0
// Times and durations come from flags, config files and object keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/store/key_layout.hpp"
#include "core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pgopipe::parse_duration(text);
  (void)pgopipe::parse_time(text, pgopipe::TimePoint{});
  if (auto t = pgopipe::parse_compact(text)) {
    if (*pgopipe::parse_compact(pgopipe::format_compact(*t)) != *t) __builtin_trap();
  }
  (void)pgopipe::store::parse_object_key(text);
  return 0;
}
