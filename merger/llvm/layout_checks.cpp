// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/layout_checks.hpp"

#include <llvm/Support/Endian.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/formats/format.hpp"

namespace pgopipe::llvm_merge {
namespace {

constexpr uint64_t kRawMagic64 = 0xff6c70726f667281ULL;  // "\x81rforpl\xff", 64-bit pointers
constexpr uint64_t kRawMagic32 = 0xff6c70726f665281ULL;  // "\x81Rforpl\xff", 32-bit pointers
constexpr uint64_t kIndexedMagic = 0x8169666f72706cffULL;  // "\xfflprofi\x81"
constexpr uint64_t kVersionMask = 0xffffffffULL;          // the rest are variant flags
constexpr uint64_t kCsVariant = 1ULL << 57;               // VARIANT_MASK_CSIR_PROF: a second summary
constexpr uint64_t kByteCoverageVariant = 1ULL << 60;     // VARIANT_MASK_BYTE_COVERAGE: 1-byte counters
constexpr uint64_t kMemProfVariant = 1ULL << 62;          // VARIANT_MASK_MEMPROF: a memory profile section

// Little-endian (or, for a big-endian writer, swapped) uint64 fields at fixed places.
class Fields {
 public:
  Fields(std::string_view bytes, bool swapped) : bytes_(bytes), swapped_(swapped) {}
  [[nodiscard]] std::string_view bytes() const { return bytes_; }
  // The uint64 at byte `offset`; nullopt past the end.
  [[nodiscard]] std::optional<uint64_t> at(uint64_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < 8) return std::nullopt;
    uint64_t v = llvm::support::endian::read64le(bytes_.data() + offset);
    return swapped_ ? llvm::byteswap(v) : v;
  }
  // The uint32 at byte `offset`; nullopt past the end.
  [[nodiscard]] std::optional<uint32_t> at32(uint64_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < 4) return std::nullopt;
    uint32_t v = llvm::support::endian::read32le(bytes_.data() + offset);
    return swapped_ ? llvm::byteswap(v) : v;
  }
  // The uint16 at byte `offset`; 0 past the end.
  [[nodiscard]] uint16_t at16(uint64_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < 2) return 0;
    uint16_t v = llvm::support::endian::read16le(bytes_.data() + offset);
    return swapped_ ? llvm::byteswap(v) : v;
  }

 private:
  std::string_view bytes_;
  bool swapped_;
};

Error layout_error(std::string_view name, std::string_view kind, std::string_view what, uint64_t size) {
  return Error{ErrorCode::Input, fmt::format("{}: not a readable LLVM {} profile: {} (the file has {} bytes)", name,
                                             kind, what, size)};
}
Error instr_error(std::string_view name, std::string_view what, uint64_t size) {
  return layout_error(name, "instrumented", what, size);
}

// The ULEB128 number at `p`, which moves past it; nullopt if it runs past `end` or over 64 bits
// (llvm/Support/LEB128.h shifts by 64 and more on long runs of zero continuation bytes).
std::optional<uint64_t> read_uleb128(const uint8_t*& p, const uint8_t* end) {
  uint64_t value = 0;
  for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
    const uint8_t byte = *p++;
    const uint64_t slice = byte & 0x7f;
    if (shift == 63 && slice > 1) return std::nullopt;
    value |= slice << shift;
    if (byte < 0x80) return value;
  }
  return std::nullopt;
}

// A raw profile's (vtable) names: chunks of ULEB128 uncompressed size, ULEB128 compressed size
// (0: stored), then the bytes. LLVM reads each chunk's bytes, and inflates into a buffer of the
// declared size, without checking either against the section.
Result<void> check_name_chunks(std::string_view name, std::string_view section, std::string_view kind,
                               uint64_t size) {
  const auto* p = reinterpret_cast<const uint8_t*>(section.data());
  const auto* end = p + section.size();
  while (p < end) {
    const auto uncompressed = read_uleb128(p, end);
    const auto compressed = uncompressed ? read_uleb128(p, end) : std::nullopt;
    const uint64_t stored = compressed && *compressed ? *compressed : uncompressed.value_or(0);
    // zlib inflates at most about 1032:1.
    if (!compressed || stored > static_cast<uint64_t>(end - p) ||
        (*compressed && *uncompressed / 1032 > *compressed + 64))
      return instr_error(name, fmt::format("its {} names run past their section", kind), size);
    p += stored;
  }
  return success();
}

// Binary IDs (`length` bytes at `at`): per ID its length (uint64), then its bytes, padded to 8.
// LLVM compares a length with the bytes left by pointer arithmetic, which a huge one wraps.
Result<void> check_binary_ids(std::string_view name, const Fields& f, uint64_t at, uint64_t length, uint64_t size) {
  const uint64_t end = at + length;
  while (at < end) {
    auto id = f.at(at);
    if (!id || end - at < 8 || *id > end - at - 8)
      return instr_error(name, "its binary IDs run past their section", size);
    at += 8 + (*id + 7) / 8 * 8;
  }
  return success();
}

// One function's value profile (`total` bytes at `at`, in the file's byte order): its size and
// kind count (uint32 each), then per kind a record: kind and site count (uint32 each), one byte
// per site with its value count, padded to 8, then 16 bytes per value. LLVM sizes each record
// from its site counts before it checks the record against the total; false if one does not fit.
bool value_data_fits(const Fields& f, uint64_t at, uint64_t total) {
  auto kinds = f.at32(at + 4);
  if (total < 8 || !kinds || *kinds > 3) return false;
  const uint64_t end = at + total;
  uint64_t record = at + 8;
  for (uint32_t k = 0; k < *kinds; ++k) {
    auto sites = f.at32(record + 4);
    if (end - record < 8 || !sites || *sites > end - record - 8) return false;
    uint64_t values = 0;
    for (uint32_t i = 0; i < *sites; ++i) values += static_cast<uint8_t>(f.bytes()[record + 8 + i]);
    const uint64_t bytes = (8 + *sites + 7) / 8 * 8 + 16 * values;
    if (bytes > end - record) return false;
    record += bytes;
  }
  return true;
}

// Raw version 10: the sixteen header fields, then binary IDs, data records, counters, bitmap,
// names, vtable records and vtable names, each section padded to 8 bytes, then the value
// profiles of the records that have value sites, each its own size first. Checks the profile
// whose header is at `base`; returns where the next profile of a concatenated file would start,
// 0 if LLVM would not read one (another version, value data it rejects).
Result<uint64_t> check_raw(std::string_view name, const Fields& f, bool ptr64, uint64_t base, uint64_t size) {
  constexpr uint64_t kHeader = 16 * 8;
  std::array<uint64_t, 16> h{};
  for (size_t i = 0; i < h.size(); ++i) {
    auto v = f.at(base + 8 * i);
    if (!v) return instr_error(name, "its header is cut off", size);
    h[i] = *v;
  }
  if ((h[1] & kVersionMask) != 10) return 0;  // LLVM names the version mismatch itself
  static constexpr std::array<const char*, 16> kNames = {
      "Magic",        "Version",       "BinaryIdsSize", "NumData",    "PaddingBytesBeforeCounters",
      "NumCounters",  "PaddingBytesAfterCounters", "NumBitmapBytes", "PaddingBytesAfterBitmapBytes",
      "NamesSize",    "CountersDelta", "BitmapDelta",   "NamesDelta", "NumVTables", "VNamesSize",
      "ValueKindLast"};
  // Each count or size alone within the file keeps the sums below from overflowing.
  for (size_t i : {2, 3, 4, 5, 6, 7, 8, 9, 13, 14})
    if (h[i] > size)
      return instr_error(name, fmt::format("header field {} is {}", kNames[i], h[i]), size);
  auto padded = [](uint64_t n) { return (n + 7) / 8 * 8; };
  const uint64_t data_record = ptr64 ? 64 : 48, vtable_record = ptr64 ? 24 : 16;
  const uint64_t counter = (h[1] & kByteCoverageVariant) ? 1 : 8;
  const uint64_t data = base + kHeader + h[2];
  const uint64_t names = data + h[3] * data_record + h[4] + h[5] * counter + h[6] + h[7] + h[8];
  const uint64_t vtable_names = names + padded(h[9]) + padded(h[13] * vtable_record);
  const uint64_t value_data = vtable_names + padded(h[14]);
  if (value_data > size)
    return layout_error(name, "instrumented",
                         fmt::format("its header declares {} bytes of sections", value_data - base), size);
  PGO_TRY(check_binary_ids(name, f, base + kHeader, h[2], size));
  PGO_TRY(check_name_chunks(name, f.bytes().substr(names, h[9]), "function", size));
  PGO_TRY(check_name_chunks(name, f.bytes().substr(vtable_names, h[14]), "vtable", size));
  const uint64_t sites = ptr64 ? 52 : 36;  // a data record's three uint16 value-site counts
  uint64_t next = value_data;
  for (uint64_t i = 0; i < h[3]; ++i) {
    const uint64_t record = data + i * data_record;
    if (!f.at16(record + sites) && !f.at16(record + sites + 2) && !f.at16(record + sites + 4)) continue;
    auto total = f.at32(next);
    if (!total || *total > size - next) return 0;  // LLVM rejects it
    if (!value_data_fits(f, next, *total))
      return instr_error(name, fmt::format("the value profile of record {} runs past its size", i), size);
    next += *total;
  }
  return next;
}

// One record's data (`n` bytes at `at`) as LLVM's ReadData walks it: per function hash, counter
// count (from version 2), counters, bitmap count and bitmap (from version 11), value profile (from
// version 3, its own size first). LLVM checks each part against the data's end by adding the
// declared size to a pointer, which a count near 2^61 wraps; false if a part does not fit.
bool record_counts_fit(const Fields& f, uint64_t at, uint64_t n, uint64_t version) {
  if (n % 8) return true;  // LLVM ignores such data
  const uint64_t end = at + n;
  while (at < end) {
    if (end - at <= 8) return true;  // LLVM stops here
    at += 8;                         // the function hash
    uint64_t counts = n / 8 - 1;
    if (version != 1) {
      if (end - at < 8) return true;  // LLVM stops here
      counts = *f.at(at);
      at += 8;
    }
    if (counts > (end - at) / 8) return false;
    at += 8 * counts;
    if (version > 10) {
      if (end - at < 8) return true;  // LLVM stops here
      const uint64_t bitmap = *f.at(at);
      at += 8;
      if (bitmap > (end - at) / 8) return false;
      at += 8 * bitmap;
    }
    if (version <= 2 || end - at < 4) return true;
    const uint64_t value_data = *f.at32(at);
    if (value_data > end - at) return true;  // LLVM rejects it
    if (!value_data_fits(f, at, value_data)) return false;
    at += value_data;
  }
  return true;
}

// An indexed profile's records: the table at `table` starts with its bucket and entry counts;
// the entries follow the summaries (`payload`), bucket by bucket: a uint16 count of the bucket's
// entries, then per entry a hash, key and data lengths (uint64 each), the key (a function name)
// and the data (its counters). LLVM walks them with these lengths unchecked, as here, but checks
// the data within its length.
Result<void> check_records(std::string_view name, const Fields& f, uint64_t payload, uint64_t table, uint64_t version,
                          uint64_t size) {
  auto entries = f.at(table + 8);
  if (!f.at(table) || !entries || *entries > size / 24)
    return instr_error(name, "its record table lies outside the file", size);
  uint64_t at = payload, left_in_bucket = 0;
  for (uint64_t e = 0; e < *entries; ++e) {
    if (left_in_bucket == 0) {
      if (at > size || size - at < 2)
        return instr_error(name, fmt::format("record {} lies outside the file", e), size);
      left_in_bucket = f.at16(at);
      at += 2;
    }
    auto key = f.at(at + 8), data = f.at(at + 16);
    if (!key || !data || *key > size || *data > size || at + 24 + *key + *data > size)
      return instr_error(name, fmt::format("record {} lies outside the file", e), size);
    if (!record_counts_fit(f, at + 24 + *key, *data, version))
      return instr_error(name, fmt::format("the counters or values of record {} run past its data", e), size);
    at += 24 + *key + *data;
    --left_in_bucket;  // a bucket count of 0 wraps, as in LLVM's iterator
  }
  return success();
}

// Indexed: magic, version, an unused field, hash type, hash table offset, then by version the
// memprof (8), binary ID (9), temporal traces (10) and vtable names (12) offsets; from version 4
// a profile summary follows the header (two with context-sensitive counts).
Result<void> check_indexed(std::string_view name, const Fields& f, uint64_t size) {
  auto version = f.at(8);
  if (!version) return instr_error(name, "its header is cut off", size);
  const uint64_t v = *version & kVersionMask;
  uint64_t header_fields = 5;
  if (v >= 8) header_fields = 6;
  if (v >= 9) header_fields = 7;
  if (v >= 10) header_fields = 8;
  if (v >= 12) header_fields = 9;
  static constexpr std::array<const char*, 5> kOffsetNames = {"HashOffset", "MemProfOffset", "BinaryIdOffset",
                                                              "TemporalProfTracesOffset", "VTableNamesOffset"};
  for (uint64_t i = 4; i < header_fields; ++i) {
    auto offset = f.at(8 * i);
    if (!offset) return instr_error(name, "its header is cut off", size);
    if (*offset > size)
      return instr_error(name, fmt::format("header field {} is {}", kOffsetNames[i - 4], *offset), size);
  }
  uint64_t at = 8 * header_fields;
  const int summaries = v < 4 ? 0 : (*version & kCsVariant) ? 2 : 1;
  for (int summary = 0; summary < summaries; ++summary) {
    auto fields = f.at(at), entries = f.at(at + 8);
    if (!fields || !entries || *fields > size / 8 || *entries > size / 24 ||
        at + 16 + 8 * *fields + 24 * *entries > size)
      return instr_error(name, "its profile summary lies outside the file", size);
    at += 16 + 8 * *fields + 24 * *entries;
  }
  PGO_TRY(check_records(name, f, at, *f.at(32), v, size));
  if (v >= 8 && (*version & kMemProfVariant))
    return instr_error(name, "it holds a memory profile (MemProf), which pgopipe does not merge", size);
  if (v >= 9) {  // binary IDs: their size in bytes, then the IDs
    auto at_ids = *f.at(48);
    auto ids = f.at(at_ids);
    if (!ids || *ids > size - at_ids - 8)
      return instr_error(name, "its binary IDs lie outside the file", size);
    PGO_TRY(check_binary_ids(name, f, at_ids + 8, *ids, size));
  }
  if (v >= 12) {  // vtable names: their size in bytes, then chunks as in a raw profile
    auto at_names = *f.at(64);
    auto names = f.at(at_names);
    if (!names || *names > size - at_names - 8)
      return instr_error(name, "its vtable names lie outside the file", size);
    return check_name_chunks(name, f.bytes().substr(at_names + 8, *names), "vtable", size);
  }
  return success();
}

}  // namespace

Result<void> check_instr_layout(std::string_view name, std::string_view bytes) {
  const Fields le(bytes, false);
  auto magic = le.at(0);
  if (!magic) return success();
  const uint64_t size = bytes.size();
  const bool swapped = llvm::byteswap(*magic) == kRawMagic64 || llvm::byteswap(*magic) == kRawMagic32;
  if (*magic == kRawMagic64 || *magic == kRawMagic32 || swapped) {
    // Raw profiles may be concatenated: LLVM reads on at the end of one's value data.
    const Fields f(bytes, swapped);
    for (uint64_t base = 0;;) {
      PGO_TRY_ASSIGN(uint64_t next, check_raw(name, f, f.at(0) == kRawMagic64, base, size));
      while (next != 0 && next < size && bytes[next] == 0) ++next;  // LLVM skips zeros between profiles
      if (next == 0 || next % 8 || next >= size || size - next < 16 * 8 || f.at(next) != f.at(0)) return success();
      base = next;
    }
  }
  if (*magic == kIndexedMagic) return check_indexed(name, le, size);
  return success();
}

Result<void> check_sample_layout(std::string_view name, std::string_view bytes) {
  if (detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())) !=
      ProfileFormat::SampleExtBinary)
    return success();
  // The table follows the magic and version (ULEB128): an entry count, then per entry its type,
  // flags, offset from the file's start and size, each a little-endian uint64.
  const auto* start = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto* p = start;
  const auto* end = p + bytes.size();
  const bool magic = read_uleb128(p, end).has_value();
  if (!magic || !read_uleb128(p, end))  // the version
    return layout_error(name, "sample", "its header is cut off", bytes.size());
  const Fields f(bytes, false);
  const auto table = static_cast<uint64_t>(p - start);
  auto entries = f.at(table);
  if (!entries || *entries > (bytes.size() - table - 8) / 32)
    return layout_error(name, "sample", "its section table is cut off", bytes.size());
  for (uint64_t i = 0; i < *entries; ++i) {
    const uint64_t offset = *f.at(table + 8 + 32 * i + 16), size = *f.at(table + 8 + 32 * i + 24);
    if (offset > bytes.size() || size > bytes.size() - offset)
      return layout_error(name, "sample",
                          fmt::format("section {} ({} bytes at offset {}) lies outside the file", i, size, offset),
                          bytes.size());
  }
  return success();
}

}  // namespace pgopipe::llvm_merge
