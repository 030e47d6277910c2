// SPDX-License-Identifier: Apache-2.0
// Counts what a profile.proto message decodes to by walking its wire format once, without
// allocating, so an amplifying input (millions of empty records in a few KB of gzip) is
// rejected before any decoder builds tables for it.
#include "core/formats/pprof/pprof.hpp"
#include "core/formats/pprof/wire.hpp"

namespace pgopipe::pprof {
namespace {

struct Counts {
  uint64_t samples = 0, locations = 0, functions = 0, strings = 0, records = 0;
};

// Number of varints in a packed run: one per terminating byte (high bit clear).
uint64_t packed_count(std::string_view run) {
  uint64_t n = 0;
  for (char c : run) n += (static_cast<uint8_t>(c) & 0x80) == 0;
  return n;
}

// Counts the records inside one sample (location ids, values, labels) or location (lines).
uint64_t inner_records(std::string_view msg, uint32_t repeated_field_a, uint32_t repeated_field_b,
                       uint32_t message_field) {
  Wire m(msg);
  uint64_t n = 0;
  uint32_t f, t;
  while (m.tag(f, t)) {
    if ((f == repeated_field_a || f == repeated_field_b) && t == 2) {
      n += packed_count(m.bytes());
    } else if (f == repeated_field_a || f == repeated_field_b || (f == message_field && t == 2)) {
      ++n;
      m.skip(t);
    } else {
      m.skip(t);
    }
  }
  return n;
}

// Walks the top-level fields; stops early once any count passes its limit.
Counts count_records(std::string_view raw, const InputLimits& limits) {
  Wire w(raw);
  Counts c;
  uint32_t f, t;
  while (w.tag(f, t) && c.samples <= limits.max_samples && c.locations <= limits.max_locations &&
         c.functions <= limits.max_functions && c.strings <= limits.max_strings &&
         c.records <= limits.max_records) {
    ++c.records;
    if (t != 2) {
      w.skip(t);
      continue;
    }
    std::string_view body = w.bytes();
    switch (f) {
      case 2: ++c.samples; c.records += inner_records(body, 1, 2, 3); break;
      case 4: ++c.locations; c.records += inner_records(body, 0, 0, 4); break;
      case 5: ++c.functions; break;
      case 6: ++c.strings; break;
      case 13: c.records += packed_count(body); break;
      default: break;
    }
  }
  return c;
}

}  // namespace

Result<void> check_decoded_size(std::string_view name, std::string_view raw, const InputLimits& limits) {
  Counts c = count_records(raw, limits);
  PGO_TRY(check_limit(name, "samples", c.samples, limits.max_samples, "max_samples"));
  PGO_TRY(check_limit(name, "locations", c.locations, limits.max_locations, "max_locations"));
  PGO_TRY(check_limit(name, "functions", c.functions, limits.max_functions, "max_functions"));
  PGO_TRY(check_limit(name, "strings", c.strings, limits.max_strings, "max_strings"));
  return check_limit(name, "decoded records", c.records, limits.max_records, "max_records");
}

}  // namespace pgopipe::pprof
