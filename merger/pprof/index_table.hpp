// SPDX-License-Identifier: Apache-2.0
// An open-addressing hash set of entity indices. Entities live in the caller's vectors; the
// table stores each entity's (folded) hash and index, and the caller decides equality, so keys
// are compact ids compared field by field (no key strings are ever built).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace pgopipe::pprof_merge {

class IndexTable {
 public:
  // Returns the index of the entity with hash `h` for which `eq(index)` holds, or records
  // `candidate` under `h` and returns it (the caller then appends the entity).
  template <typename Eq>
  uint32_t find_or_insert(uint64_t h, uint32_t candidate, Eq&& eq) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const uint32_t tag = fold(h);
    size_t i = tag & mask_;
    for (;;) {
      Slot& s = slots_[i];
      if (s.index == kEmpty) {
        s = Slot{tag, candidate};
        ++size_;
        return candidate;
      }
      if (s.tag == tag && eq(s.index)) return s.index;
      i = (i + 1) & mask_;
    }
  }

  // Starts loading the slot where an entity with hash `h` would be into the cache.
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[fold(h) & mask_]);
  }

  // The first entity on `h`'s probe sequence whose tag matches (the likely match, for the
  // caller to prefetch), or kNone.
  [[nodiscard]] uint32_t likely(uint64_t h) const {
    if (slots_.empty()) return kNone;
    const uint32_t tag = fold(h);
    for (size_t i = tag & mask_; slots_[i].index != kEmpty; i = (i + 1) & mask_) {
      if (slots_[i].tag == tag) return slots_[i].index;
    }
    return kNone;
  }

  static constexpr uint32_t kNone = UINT32_MAX;

  // Pre-sizes the table for `n` entries.
  void reserve(size_t n) {
    while (n * 4 > slots_.size() * 3) grow();
  }

  // Empties the table and frees its memory.
  void clear() {
    std::vector<Slot>().swap(slots_);
    mask_ = 0;
    size_ = 0;
  }

  [[nodiscard]] size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  // 8 bytes a slot, so the tables of a large merge stay in cache: the hash folded to 32 bits
  // both places the entry (low bits) and screens it before the caller's comparison.
  struct Slot {
    uint32_t tag = 0;
    uint32_t index = kEmpty;
  };

  static uint32_t fold(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)); }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    size_t n = old.empty() ? 64 : old.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.index == kEmpty) continue;
      size_t i = s.tag & mask_;
      while (slots_[i].index != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Mixes `v` into hash `h` (a multiply-xorshift step; good enough for open addressing).
inline uint64_t hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

}  // namespace pgopipe::pprof_merge
