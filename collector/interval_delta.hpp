// SPDX-License-Identifier: Apache-2.0
// One process's interval deltas: each cumulative raw-profile snapshot becomes a self-contained
// raw profile of what ran since the previous one, block counters and value profiles alike, so
// that any set of intervals (of any processes) merges with no knowledge of where each came from.
#pragma once

#include <cstdint>
#include <string>

#include "collector/raw_profile.hpp"
#include "collector/value_profile.hpp"
#include "core/result.hpp"

namespace pgopipe::collector {

class IntervalDelta {
 public:
  // Rewrites `snapshot` in place to the delta since the previous snapshot (the first one:
  // since the process started). Returns the sum of the counter deltas (0: nothing ran).
  Result<uint64_t> apply(std::string& snapshot);

  // The layout of the snapshots (valid after the first apply).
  [[nodiscard]] const RawLayout& layout() const { return layout_; }

  // Counters seen going down (lost non-atomic updates) so far.
  [[nodiscard]] uint64_t counter_regressions() const { return counters_.regressions(); }

  // Value counts seen going down or replaced (compiler-rt's per-site cap) so far.
  [[nodiscard]] uint64_t value_decreases() const { return values_.decreases(); }

 private:
  RawLayout layout_;
  bool started_ = false;
  CounterDelta counters_;
  ValueDelta values_;
};

}  // namespace pgopipe::collector
