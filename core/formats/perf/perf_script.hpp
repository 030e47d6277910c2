// SPDX-License-Identifier: Apache-2.0
// The `perf script` reader: perf script text (ideally with --show-mmap-events) into address
// samples, line by line; perf_data.hpp runs perf itself on perf.data files.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"
#include "core/formats/perf/address_samples.hpp"

namespace pgopipe::perf {

// Incremental parser of `perf script` output, fed one line at a time.
class PerfScriptParser {
 public:
  virtual ~PerfScriptParser() = default;
  // Consumes one line (without the newline).
  virtual void line(std::string_view text) = 0;
  // Ends the input (flushes the last sample) and returns the number of samples read.
  virtual uint64_t finish() = 0;
};

// Symbol names perf printed for frames, keyed by (mapping index, runtime address).
using FrameSymbols = std::map<std::pair<uint32_t, uint64_t>, std::string>;

// A parser adding to `out`; `build_ids` maps mapped file paths to their build IDs (hex).
// When `symbols` is set, the `sym` field of each frame (when perf printed one) lands there.
std::unique_ptr<PerfScriptParser> make_perf_script_parser(
    AddressSamples& out, std::map<std::string, std::string> build_ids = {},
    FrameSymbols* symbols = nullptr);

// Feeds every line of `text` (split at '\n') to `parser`; does not call finish().
void feed_lines(PerfScriptParser& parser, std::string_view text);

// Parses a whole perf script text; Input error naming `name` if it holds no sample.
Result<void> read_perf_script(std::string_view name, std::string_view text, AddressSamples& out);

// Streams a perf script text file line by line (bounded memory); errors name the path.
Result<void> read_perf_script_file(const std::string& path, AddressSamples& out);

}  // namespace pgopipe::perf
