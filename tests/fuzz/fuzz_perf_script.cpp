// SPDX-License-Identifier: Apache-2.0
// `perf script` text comes from perf on any machine (pgopipe convert, the perf sampler).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/formats/perf/perf_script.hpp"

namespace {

// Every stack frame must point at a mapping that exists, and the folded counts must add up.
void check(const pgopipe::perf::AddressSamples& out) {
  uint64_t total = 0;
  for (const auto& s : out.samples()) {
    total += s.count;
    for (const auto& f : out.stack(s)) {
      if (f.mapping != pgopipe::perf::kNoMapping && f.mapping >= out.mappings().size())
        __builtin_trap();
    }
  }
  if (total != out.stats.samples - out.stats.empty_samples) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  pgopipe::perf::AddressSamples whole;
  auto r = pgopipe::perf::read_perf_script("fuzz", text, whole);
  if (!r && r.error().message.empty()) __builtin_trap();
  check(whole);

  // The streaming parser with build IDs and symbol capture (the perf.data path).
  pgopipe::perf::AddressSamples streamed;
  pgopipe::perf::FrameSymbols symbols;
  auto parser = pgopipe::perf::make_perf_script_parser(
      streamed, {{"/tmp/perfseed/hot", "0123abcd"}, {"/usr/lib/x86_64-linux-gnu/libc.so.6", "ff"}},
      &symbols);
  pgopipe::perf::feed_lines(*parser, text);
  parser->finish();
  check(streamed);
  for (const auto& [key, name] : symbols)
    if (key.first != pgopipe::perf::kNoMapping && key.first >= streamed.mappings().size())
      __builtin_trap();
  return 0;
}
