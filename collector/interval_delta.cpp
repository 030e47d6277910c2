// SPDX-License-Identifier: Apache-2.0
#include "collector/interval_delta.hpp"

namespace pgopipe::collector {

Result<uint64_t> IntervalDelta::apply(std::string& snapshot) {
  PGO_TRY_ASSIGN(RawLayout layout, parse_raw_layout(snapshot));
  if (started_ && (layout.num_data != layout_.num_data ||
                   layout.num_counters != layout_.num_counters ||
                   layout.value_data_offset != layout_.value_data_offset)) {
    return make_error(ErrorCode::Internal, "the raw profile layout changed between snapshots");
  }
  layout_ = layout;
  started_ = true;
  // The value section first: it is parsed against the data records, which stay untouched.
  PGO_TRY(values_.apply(snapshot, layout_));
  return counters_.apply(snapshot, layout_);
}

}  // namespace pgopipe::collector
