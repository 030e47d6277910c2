// SPDX-License-Identifier: Apache-2.0
// Format detection reads the first bytes of any file a user hands us.
#include <cstddef>
#include <cstdint>

#include "core/formats/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto format = pgopipe::detect_format(std::span(data, size));
  (void)pgopipe::to_string(pgopipe::family_of(format));
  return 0;
}
