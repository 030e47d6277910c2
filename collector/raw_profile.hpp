// SPDX-License-Identifier: Apache-2.0
// LLVM raw profile (.profraw, raw version 10) layout: enough to find the counters section,
// the binary IDs, the per-function value-site counts and the value-profile section, so the
// collector can turn cumulative snapshots of one process into per-interval deltas without
// resetting counters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::collector {

// Where the sections of one raw profile buffer are (byte offsets into the buffer).
struct RawLayout {
  uint64_t version = 0;        // full version word, variant flags included
  uint64_t binary_ids_offset = 0;
  uint64_t binary_ids_size = 0;
  uint64_t data_offset = 0;
  uint64_t num_data = 0;
  uint64_t counters_offset = 0;
  uint64_t num_counters = 0;   // 8-byte counters
  uint64_t value_kinds = 0;    // ValueKindLast + 1
  uint64_t value_data_offset = 0;  // where the value-profile section starts (may be the end)
};

// Bytes of one __llvm_profile_data record for `value_kinds` value kinds.
uint64_t data_record_size(uint64_t value_kinds);

// Number of value sites of kind `kind` in data record `record`.
uint16_t value_sites(std::string_view buffer, const RawLayout& layout, uint64_t record,
                     uint64_t kind);

// Parses and checks the header of a 64-bit little-endian raw profile of version 10 with
// 8-byte counters; other variants (byte coverage, debug-info correlation, temporal) are an
// Input error naming the variant.
Result<RawLayout> parse_raw_layout(std::string_view buffer);

// The first binary ID (the executable's GNU build ID) as lower-case hex; empty if none.
std::string first_binary_id(std::string_view buffer, const RawLayout& layout);

// True if any function record declares value-profile sites (indirect calls, memop sizes).
bool has_value_sites(std::string_view buffer, const RawLayout& layout);

// Counter-wise delta state of one process: turns cumulative snapshots into interval deltas.
class CounterDelta {
 public:
  // Rewrites the counters of `buffer` (a snapshot) in place to the increase since the
  // previous snapshot and remembers the snapshot's counters. A counter that went down (a
  // lost non-atomic update) contributes 0 and keeps its higher baseline. Returns the sum of
  // the deltas (0: nothing ran). The layout must match the previous snapshot's.
  Result<uint64_t> apply(std::string& buffer, const RawLayout& layout);

  // Counters seen going down so far (only possible without -fprofile-update=atomic).
  [[nodiscard]] uint64_t regressions() const { return regressions_; }

 private:
  std::vector<uint64_t> baseline_;
  uint64_t regressions_ = 0;
};

}  // namespace pgopipe::collector
