// SPDX-License-Identifier: Apache-2.0
// The pprof merge engine and summary read any profile a user or a store hands us.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "merger/pprof/pprof_engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pgopipe::MergeOptions options;
  options.max_input_bytes = 64u << 20;
  auto engine = pgopipe::make_pprof_engine(options, nullptr);
  // Twice: the second add folds into existing state (the unification paths).
  if ((*engine)->add("fuzz", bytes, 1.0).ok()) (void)(*engine)->add("fuzz2", bytes, 2.5);
  (void)pgopipe::summarize_pprof("fuzz", bytes, 10);
  return 0;
}
