// SPDX-License-Identifier: Apache-2.0
// A minimal protobuf wire-format reader over a byte view (varints, length-delimited fields,
// packed or unpacked repeated varints), used to decode profile.proto without allocating.
#pragma once

#include <cstdint>
#include <string_view>

namespace pgopipe::pprof {

// Reads protobuf wire format; any malformation sets `ok` to false and stops the reader.
struct Wire {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;

  explicit Wire(std::string_view s)
      : p(reinterpret_cast<const uint8_t*>(s.data())), end(p + s.size()) {}
  [[nodiscard]] bool more() const { return ok && p < end; }
  void fail() {
    ok = false;
    p = end;
  }
  uint64_t varint() {
    if (p < end && *p < 0x80) return *p++;
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      uint8_t b = *p++;
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
    fail();
    return 0;
  }
  std::string_view bytes() {
    uint64_t n = varint();
    if (!ok || n > static_cast<uint64_t>(end - p)) {
      fail();
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    p += n;
    return s;
  }
  void skip(uint32_t wire_type) {
    switch (wire_type) {
      case 0: varint(); break;
      case 1: if (end - p < 8) fail(); else p += 8; break;
      case 2: bytes(); break;
      case 5: if (end - p < 4) fail(); else p += 4; break;
      default: fail();
    }
  }
  // Reads a tag; returns false at the end of the message.
  bool tag(uint32_t& field, uint32_t& wire_type) {
    if (!more()) return false;
    uint64_t t = varint();
    field = static_cast<uint32_t>(t >> 3);
    wire_type = static_cast<uint32_t>(t & 7);
    if (field == 0) fail();
    return ok;
  }
  // Reads a repeated varint field that may be packed (wire type 2) or not (0).
  template <typename F>
  void repeated_varint(uint32_t wire_type, F&& push) {
    if (wire_type == 0) {
      push(varint());
    } else if (wire_type == 2) {
      Wire inner(bytes());
      while (inner.more()) push(inner.varint());
      if (!inner.ok) fail();
    } else {
      fail();
    }
  }
};

}  // namespace pgopipe::pprof
