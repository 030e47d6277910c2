// SPDX-License-Identifier: Apache-2.0
// The value-profile section of an LLVM raw profile (indirect-call targets, memop sizes):
// read into per-site (value, count) lists, written back, and turned from cumulative
// snapshots of one process into per-interval deltas, per site and per value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/raw_profile.hpp"
#include "core/result.hpp"

namespace pgopipe::collector {

// One value (a call target's address, a memop size's range value) and its count.
struct ValueCount {
  uint64_t value = 0;
  uint64_t count = 0;
};

// The values one site recorded.
using ValueSite = std::vector<ValueCount>;

// The value data of one function record: for each value kind it declares sites for, the sites.
struct FunctionValues {
  uint64_t record = 0;                          // index of the function's data record
  std::vector<uint32_t> kinds;                  // value kinds with sites, ascending
  std::vector<std::vector<ValueSite>> sites;    // parallel to `kinds`
};

// Reads the value-profile section of `buffer`: one entry per data record that declares value
// sites, in data-record order (as compiler-rt writes it and LLVM's raw reader reads it).
Result<std::vector<FunctionValues>> read_value_data(std::string_view buffer,
                                                    const RawLayout& layout);

// Serializes value data in the raw profile's ValueProfData format (the inverse of
// read_value_data).
std::string write_value_data(const std::vector<FunctionValues>& functions);

// Per-site, per-value delta state of one process: turns cumulative snapshots into intervals.
class ValueDelta {
 public:
  // Replaces the value section of `buffer` (a snapshot) with the increase of every value's
  // count since the previous snapshot; values that did not increase are left out. A count
  // that went down (compiler-rt evicting or decaying past its per-site cap) contributes 0,
  // and the new, lower count becomes the baseline. Returns the sum of the value deltas.
  Result<uint64_t> apply(std::string& buffer, const RawLayout& layout);

  // Value counts seen going down or values seen replaced so far (only past the runtime's cap).
  [[nodiscard]] uint64_t decreases() const { return decreases_; }

 private:
  std::vector<FunctionValues> baseline_;
  bool first_ = true;
  uint64_t decreases_ = 0;
};

}  // namespace pgopipe::collector
