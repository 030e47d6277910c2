// SPDX-License-Identifier: Apache-2.0
// The input-neutral model of CPU samples the converter works on: stacks of runtime
// addresses (leaf first) with a count, each address tied to the memory mapping it fell in.
// Input adapters (perf script, pprof) produce it; the converter consumes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"

namespace pgopipe::perf {

// One executable mapping of a process: [start, limit) maps the file at `offset`.
struct Mapping {
  uint64_t start = 0;
  uint64_t limit = 0;
  uint64_t offset = 0;
  std::string build_id;  // lower-case hex; empty when the input did not record it
  std::string file;      // path as the profiled process saw it; may be empty
};

inline constexpr uint32_t kNoMapping = UINT32_MAX;

// One stack frame: a runtime address and the index of its mapping (or kNoMapping).
struct Frame {
  uint64_t address = 0;
  uint32_t mapping = kNoMapping;
  bool operator==(const Frame&) const = default;
};

struct StackSample {
  uint32_t first = 0;  // index of the leaf frame in AddressSamples::frames
  uint32_t depth = 0;
  uint64_t count = 0;
};

// Counters the adapters fill for frames/samples they could not place.
struct InputStats {
  uint64_t samples = 0;          // samples read (weighted by count)
  uint64_t kernel_frames = 0;    // frames in kernel space, skipped
  uint64_t unmapped_frames = 0;  // user frames outside every known mapping
  uint64_t empty_samples = 0;    // samples left with no user frame
  uint64_t skipped_lines = 0;    // perf script lines beyond the line length cap, skipped
};

// Samples with identical stacks are folded into one entry.
class AddressSamples {
 public:
  // Adds (or re-finds) a mapping and returns its index.
  uint32_t add_mapping(const Mapping& m);
  // Adds `count` samples of `stack` (leaf first); identical stacks accumulate.
  void add(std::span<const Frame> stack, uint64_t count);
  // Folds all samples of `other` into this one, re-indexing its mappings.
  void absorb(const AddressSamples& other);
  // Multiplies every sample count (and the sample statistics) by `factor` (> 0): input weights.
  void scale(uint64_t factor);

  [[nodiscard]] const std::vector<Mapping>& mappings() const { return mappings_; }
  [[nodiscard]] const std::vector<StackSample>& samples() const { return samples_; }
  [[nodiscard]] std::span<const Frame> stack(const StackSample& s) const {
    return {frames_.data() + s.first, s.depth};
  }
  InputStats stats;
  std::optional<TimePoint> collected_at;  // when the input says it was collected (pprof time)

 private:
  std::vector<Mapping> mappings_;
  std::unordered_map<std::string, uint32_t> mapping_index_;
  std::vector<Frame> frames_;
  std::vector<StackSample> samples_;
  // Stack hash -> first sample with that hash; samples with equal hashes chain through
  // next_same_hash_ (no per-sample key allocation: every input sample comes through add()).
  std::unordered_map<uint64_t, uint32_t> stack_index_;
  std::vector<uint32_t> next_same_hash_;
};

}  // namespace pgopipe::perf
