// SPDX-License-Identifier: Apache-2.0
// `pgopipe convert --source-diff` reads a unified diff the user hands it. Whatever parses must
// be a line map that keeps the order of the lines it keeps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "merger/convert/source_diff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto diff = pgopipe::convert::SourceDiff::parse("fuzz.diff", text);
  if (!diff) return 0;
  for (const auto& file : diff.value().files()) {
    uint32_t last = 0;
    for (uint32_t line = 1; line <= 400; ++line) {
      auto moved = diff.value().new_line("/src/" + file, line);
      if (!moved) continue;
      if (*moved <= last) __builtin_trap();  // a line map never reorders lines
      last = *moved;
    }
  }
  return 0;
}
