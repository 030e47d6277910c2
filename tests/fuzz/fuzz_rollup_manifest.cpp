// SPDX-License-Identifier: Apache-2.0
// Rollup manifests are read from the store, which anyone with write access may have edited.
// Input: the manifest's key on the first line, its text after it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/store/rollup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string key = input.substr(0, newline);
  std::string text = newline == std::string::npos ? "" : input.substr(newline + 1);
  pgopipe::store::manifest_period("fuzz", key);
  auto manifest = pgopipe::store::manifest_from_text(key, text);
  if (manifest) {
    // Whatever is accepted must survive its own round trip.
    auto again = pgopipe::store::manifest_from_text(key, pgopipe::store::manifest_to_text(*manifest));
    if (!again || again->inputs != manifest->inputs || again->parts.size() != manifest->parts.size()) __builtin_trap();
  }
  return 0;
}
