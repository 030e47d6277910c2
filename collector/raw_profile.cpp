// SPDX-License-Identifier: Apache-2.0
#include "collector/raw_profile.hpp"

#include <cstring>

namespace pgopipe::collector {
namespace {

// Values from LLVM 19's compiler-rt/include/profile/InstrProfData.inc.
constexpr uint64_t kMagic64 = (uint64_t{255} << 56) | (uint64_t{'l'} << 48) |
                              (uint64_t{'p'} << 40) | (uint64_t{'r'} << 32) |
                              (uint64_t{'o'} << 24) | (uint64_t{'f'} << 16) |
                              (uint64_t{'r'} << 8) | uint64_t{129};
constexpr uint64_t kRawVersion = 10;
constexpr uint64_t kVariantMasks = 0xffffffff00000000ULL;
constexpr uint64_t kDbgCorrelate = uint64_t{1} << 59;
constexpr uint64_t kByteCoverage = uint64_t{1} << 60;
constexpr uint64_t kTemporal = uint64_t{1} << 63;
constexpr uint64_t kHeaderFields = 16;  // Magic .. ValueKindLast
constexpr uint64_t kHeaderSize = kHeaderFields * 8;
// __llvm_profile_data on 64-bit targets: NameRef, FuncHash, CounterPtr, BitmapPtr,
// FunctionPointer, Values (8 bytes each), NumCounters (4), NumValueSites[IPVK_Last + 1]
// (2 each), NumBitmapBytes (4), padded to 8.
constexpr uint64_t kValueSitesOffset = 52;

uint64_t load64(std::string_view b, uint64_t off) {
  uint64_t v = 0;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

// __llvm_profile_vtable_data on 64-bit targets: VTableNameHash, VTablePointer, VTableSize.
constexpr uint64_t kVTableRecordSize = 24;

uint64_t padding8(uint64_t n) { return (8 - n % 8) % 8; }

}  // namespace

uint64_t data_record_size(uint64_t value_kinds) {
  uint64_t end = kValueSitesOffset + 2 * value_kinds;  // NumValueSites
  end = (end + 3) / 4 * 4 + 4;                         // NumBitmapBytes
  return (end + 7) / 8 * 8;
}

uint16_t value_sites(std::string_view b, const RawLayout& l, uint64_t record, uint64_t kind) {
  uint16_t sites = 0;
  std::memcpy(&sites,
              b.data() + l.data_offset + record * data_record_size(l.value_kinds) +
                  kValueSitesOffset + 2 * kind,
              2);
  return sites;
}

Result<RawLayout> parse_raw_layout(std::string_view b) {
  if (b.size() < kHeaderSize) {
    return make_error(ErrorCode::Input, "raw profile of {} bytes is shorter than its header",
                      b.size());
  }
  uint64_t h[kHeaderFields];
  for (uint64_t i = 0; i < kHeaderFields; ++i) h[i] = load64(b, i * 8);
  if (h[0] != kMagic64) {
    return make_error(ErrorCode::Input, "not a 64-bit little-endian raw profile (magic {:#x})",
                      h[0]);
  }
  RawLayout l;
  l.version = h[1];
  if ((l.version & ~kVariantMasks) != kRawVersion) {
    return make_error(ErrorCode::Input, "raw profile version {} is not supported (expected {})",
                      l.version & ~kVariantMasks, kRawVersion);
  }
  if (l.version & kByteCoverage) {
    return make_error(ErrorCode::Input, "single-byte coverage profiles are not supported");
  }
  if (l.version & kDbgCorrelate) {
    return make_error(ErrorCode::Input, "debug-info-correlated profiles are not supported");
  }
  if (l.version & kTemporal) {
    return make_error(ErrorCode::Input, "temporal profiles are not supported");
  }
  l.binary_ids_offset = kHeaderSize;
  l.binary_ids_size = h[2];
  l.num_data = h[3];
  l.num_counters = h[5];
  l.value_kinds = h[15] + 1;
  if (l.value_kinds > 16 || l.binary_ids_size > b.size() || l.num_data > b.size() ||
      l.num_counters > b.size() || h[4] > b.size()) {
    return make_error(ErrorCode::Input, "raw profile header is inconsistent with its size {}",
                      b.size());
  }
  l.data_offset = kHeaderSize + l.binary_ids_size;
  l.counters_offset = l.data_offset + l.num_data * data_record_size(l.value_kinds) + h[4];
  if (l.counters_offset + l.num_counters * 8 > b.size()) {
    return make_error(ErrorCode::Input, "raw profile counters end past the buffer ({} bytes)",
                      b.size());
  }
  // Then: padding, bitmap, padding, names, padding, vtable records, padding, vtable names,
  // padding, and the value-profile section (what LLVM 19's RawInstrProfReader expects).
  uint64_t names_size = h[9], num_vtables = h[13], vnames_size = h[14];
  if (h[6] > b.size() || h[7] > b.size() || h[8] > b.size() || names_size > b.size() ||
      num_vtables > b.size() || vnames_size > b.size()) {
    return make_error(ErrorCode::Input, "raw profile header is inconsistent with its size {}",
                      b.size());
  }
  uint64_t off = l.counters_offset + l.num_counters * 8 + h[6] + h[7] + h[8];
  off += names_size + padding8(names_size);
  off += num_vtables * kVTableRecordSize + padding8(num_vtables * kVTableRecordSize);
  off += vnames_size + padding8(vnames_size);
  if (off > b.size()) {
    return make_error(ErrorCode::Input, "raw profile sections end past the buffer ({} bytes)",
                      b.size());
  }
  l.value_data_offset = off;
  return l;
}

std::string first_binary_id(std::string_view b, const RawLayout& l) {
  if (l.binary_ids_size < 8) return {};
  uint64_t len = load64(b, l.binary_ids_offset);
  if (len == 0 || len > 64 || 8 + len > l.binary_ids_size) return {};
  std::string hex;
  for (uint64_t i = 0; i < len; ++i) {
    hex += fmt::format("{:02x}", static_cast<unsigned char>(b[l.binary_ids_offset + 8 + i]));
  }
  return hex;
}

bool has_value_sites(std::string_view b, const RawLayout& l) {
  for (uint64_t d = 0; d < l.num_data; ++d) {
    for (uint64_t k = 0; k < l.value_kinds; ++k) {
      if (value_sites(b, l, d, k) != 0) return true;
    }
  }
  return false;
}

Result<uint64_t> CounterDelta::apply(std::string& b, const RawLayout& l) {
  if (baseline_.empty()) baseline_.assign(l.num_counters, 0);
  if (baseline_.size() != l.num_counters) {
    return make_error(ErrorCode::Internal, "raw profile counter count changed from {} to {}",
                      baseline_.size(), l.num_counters);
  }
  uint64_t total = 0;
  char* p = b.data() + l.counters_offset;
  for (uint64_t i = 0; i < l.num_counters; ++i, p += 8) {
    uint64_t cur = 0;
    std::memcpy(&cur, p, 8);
    uint64_t delta = 0;
    if (cur >= baseline_[i]) {
      delta = cur - baseline_[i];
      baseline_[i] = cur;
    } else {
      ++regressions_;
    }
    std::memcpy(p, &delta, 8);
    total += delta;
  }
  return total;
}

}  // namespace pgopipe::collector
