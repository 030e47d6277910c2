// SPDX-License-Identifier: Apache-2.0
#include "core/formats/perf/address_samples.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace pgopipe::perf {

uint32_t AddressSamples::add_mapping(const Mapping& m) {
  std::string key = fmt::format("{:x}/{:x}/{:x}/{}/{}", m.start, m.limit, m.offset, m.build_id, m.file);
  auto [it, inserted] = mapping_index_.emplace(std::move(key), static_cast<uint32_t>(mappings_.size()));
  if (inserted) mappings_.push_back(m);
  return it->second;
}

void AddressSamples::add(std::span<const Frame> stack, uint64_t count) {
  if (stack.empty() || count == 0) return;
  uint64_t h = 0xcbf29ce484222325ULL ^ stack.size();
  for (const Frame& f : stack) {
    h = (h ^ f.address) * 0x100000001b3ULL;
    h = (h ^ f.mapping) * 0x9E3779B97F4A7C15ULL;
  }
  auto index = static_cast<uint32_t>(samples_.size());
  auto [it, inserted] = stack_index_.try_emplace(h, index);
  if (!inserted) {
    for (uint32_t i = it->second; i != kNoMapping; i = next_same_hash_[i]) {
      auto known = this->stack(samples_[i]);
      if (std::equal(known.begin(), known.end(), stack.begin(), stack.end())) {
        samples_[i].count += count;
        return;
      }
    }
    next_same_hash_.push_back(it->second);  // new stack, same hash: chain in front
    it->second = index;
  } else {
    next_same_hash_.push_back(kNoMapping);
  }
  samples_.push_back({static_cast<uint32_t>(frames_.size()), static_cast<uint32_t>(stack.size()), count});
  frames_.insert(frames_.end(), stack.begin(), stack.end());
}

void AddressSamples::absorb(const AddressSamples& other) {
  std::vector<uint32_t> remap;
  remap.reserve(other.mappings_.size());
  for (const Mapping& m : other.mappings_) remap.push_back(add_mapping(m));
  std::vector<Frame> buf;
  for (const StackSample& s : other.samples_) {
    buf.assign(other.stack(s).begin(), other.stack(s).end());
    for (Frame& f : buf)
      if (f.mapping != kNoMapping) f.mapping = remap[f.mapping];
    add(buf, s.count);
  }
  stats.samples += other.stats.samples;
  stats.kernel_frames += other.stats.kernel_frames;
  stats.unmapped_frames += other.stats.unmapped_frames;
  stats.empty_samples += other.stats.empty_samples;
  stats.skipped_lines += other.stats.skipped_lines;
}

void AddressSamples::scale(uint64_t factor) {
  if (factor == 1) return;
  for (StackSample& s : samples_) s.count *= factor;
  stats.samples *= factor;
  stats.kernel_frames *= factor;
  stats.unmapped_frames *= factor;
  stats.empty_samples *= factor;
}

}  // namespace pgopipe::perf
