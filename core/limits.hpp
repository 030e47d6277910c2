// SPDX-License-Identifier: Apache-2.0
// Ceilings on what one untrusted input may decode to. Profiles come from production machines
// and can be crafted: a few KB of gzipped empty records would otherwise decode into GBs of
// tables. Each limit is a config key (limits.NAME); exceeding one is an Input error naming
// the input and the key.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

struct InputLimits {
  // Bytes a (gzipped) input may inflate to.
  uint64_t max_decompressed_bytes = uint64_t{256} << 20;
  // Records of each kind in one decoded pprof input. A service-sized Go profile has ~4,000
  // functions, ~12,000 locations, ~1,000 samples; a merge of 1,000 of them ~600,000 samples.
  uint64_t max_samples = 10'000'000;
  uint64_t max_locations = 4'000'000;
  uint64_t max_functions = 2'000'000;
  uint64_t max_strings = 4'000'000;
  // Every decoded record of one input together: messages, location lines, labels, stack
  // entries and values (a merged service profile: ~20 million).
  uint64_t max_records = 200'000'000;
  // Frames of one stack drawn or walked as a tree; deeper stacks are truncated with a note.
  uint64_t max_stack_depth = 1024;
};

// Input error "NAME: COUNT WHAT exceed the limit of LIMIT (limits.KEY)" when count > limit.
inline Result<void> check_limit(std::string_view name, std::string_view what, uint64_t count,
                                uint64_t limit, std::string_view key) {
  if (count <= limit) return success();
  return make_error(ErrorCode::Input, "{}: more than {} {} (limit limits.{}; raise it in the config if "
                    "the input is genuine)", name, limit, what, key);
}

}  // namespace pgopipe
