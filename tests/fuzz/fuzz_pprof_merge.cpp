// SPDX-License-Identifier: Apache-2.0
// The pprof merge engine and summary read any profile a user or a store hands us, gzipped
// (what Go and most profilers write) or raw protobuf. Mutated gzip rarely survives its CRC,
// so each input is also wrapped in a valid gzip member: the fuzzed protobuf then reaches the
// parser through the gunzip path as well, and both forms must get the same verdict. A second
// engine runs with small decoded-size limits (seed amplify.pb: thousands of empty samples):
// whatever it accepts must be within them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/formats/pprof/pprof.hpp"
#include "merger/pprof/pprof_engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pgopipe::merge::MergeOptions options;
  options.limits.max_decompressed_bytes = 64u << 20;
  auto engine = pgopipe::pprof_merge::make_pprof_engine(options, nullptr);
  // Twice: the second add folds into existing state (the unification paths).
  if ((*engine)->add("fuzz", bytes, 1.0).ok()) (void)(*engine)->add("fuzz2", bytes, 2.5);
  (void)pgopipe::pprof_merge::summarize_pprof("fuzz", bytes, 10);

  pgopipe::merge::MergeOptions small = options;
  small.limits.max_samples = small.limits.max_locations = small.limits.max_functions = 256;
  small.limits.max_strings = 256;
  small.limits.max_records = 4096;
  auto limited = pgopipe::pprof_merge::make_pprof_engine(small, nullptr);
  bool limited_ok = (*limited)->add("fuzz-limited", bytes, 1.0).ok();
  if (limited_ok && !bytes.empty() && !pgopipe::pprof::is_gzip(bytes) &&
      !pgopipe::pprof::check_decoded_size("fuzz", bytes, small.limits)) {
    __builtin_trap();  // the engine accepted an input beyond its limits
  }

  if (bytes.empty() || pgopipe::pprof::is_gzip(bytes)) return 0;
  auto gz = pgopipe::pprof::gzip(bytes, 1);
  if (!gz) __builtin_trap();
  pgopipe::pprof::ReadOptions read{.limits = {.max_decompressed_bytes = 64u << 20}};
  auto raw_profile = pgopipe::pprof::parse("fuzz.pb", bytes, read);
  auto gz_profile = pgopipe::pprof::parse("fuzz.pb.gz", *gz, read);
  if (raw_profile.ok() != gz_profile.ok()) __builtin_trap();
  auto gz_engine = pgopipe::pprof_merge::make_pprof_engine(options, nullptr);
  (void)(*gz_engine)->add("fuzz.pb.gz", *gz, 1.0);
  return 0;
}
