// SPDX-License-Identifier: Apache-2.0
// Encodes Tables straight into profile.proto wire format (no intermediate message objects, so
// writing a large merged profile costs one output buffer). Field numbers follow
// core/formats/pprof/profile.proto; zero scalars are omitted as proto3 does.
#include "merger/pprof/pprof_tables.hpp"

namespace pgopipe::pprof_merge {
namespace {

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void field(uint32_t f, uint64_t v) {
    if (v == 0) return;
    varint(uint64_t{f} << 3);
    varint(v);
  }
  void field_signed(uint32_t f, int64_t v) { field(f, static_cast<uint64_t>(v)); }
  void bytes(uint32_t f, std::string_view s) {
    varint((uint64_t{f} << 3) | 2);
    varint(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

// Appends a length-delimited field whose body `fill` writes with an Encoder.
template <typename Fill>
void message(std::string& out, std::string& scratch, uint32_t f, Fill&& fill) {
  scratch.clear();
  Encoder body(scratch);
  fill(body);
  Encoder(out).bytes(f, scratch);
}

// Writes one profile message after another into `out`; `scratch` holds the body of the
// message being written, `inner` the body of a message nested in it.
class ProfileWriter {
 public:
  ProfileWriter(const Tables& t, std::string& out) : t_(t), out_(out) {}

  void value_type(uint32_t f, const ValueTypeRec& vt) {
    message(out_, scratch_, f, [&](Encoder& e) {
      e.field(1, vt.type);
      e.field(2, vt.unit);
    });
  }

  // Sample (field 2): packed location ids, packed values, then its labels.
  void sample(size_t i) {
    const SampleRec& s = t_.samples[i];
    const size_t n = t_.value_count();
    message(out_, scratch_, 2, [&](Encoder& e) {
      inner_.clear();
      Encoder ids(inner_);
      for (uint32_t k = 0; k < s.stack_count; ++k) ids.varint(uint64_t{t_.stack[s.stack_begin + k]} + 1);
      if (!inner_.empty()) e.bytes(1, inner_);
      inner_.clear();
      for (size_t k = 0; k < n; ++k) ids.varint(static_cast<uint64_t>(t_.values[i * n + k]));
      if (!inner_.empty()) e.bytes(2, inner_);
      for (uint32_t k = 0; k < s.label_count; ++k) {
        const LabelRec& l = t_.labels[s.label_begin + k];
        inner_.clear();
        ids.field(1, l.key);
        ids.field(2, l.str);
        ids.field_signed(3, l.num);
        ids.field(4, l.unit);
        e.bytes(3, inner_);
      }
    });
  }

  // Mapping (field 3) with id i + 1.
  void mapping(size_t i) {
    const MappingRec& m = t_.mappings[i];
    message(out_, scratch_, 3, [&](Encoder& e) {
      e.field(1, i + 1);
      e.field(2, m.start);
      e.field(3, m.limit);
      e.field(4, m.offset);
      e.field(5, m.filename);
      e.field(6, m.build_id);
      for (uint32_t bit = 0; bit < 4; ++bit) e.field(7 + bit, (m.flags >> bit) & 1u);
    });
  }

  // Location (field 4) with id i + 1 and its lines.
  void location(size_t i) {
    const LocationRec& l = t_.locations[i];
    message(out_, scratch_, 4, [&](Encoder& e) {
      e.field(1, i + 1);
      e.field(2, l.mapping);
      e.field(3, l.address);
      for (uint32_t k = 0; k < l.line_count; ++k) {
        const LineRec& line = t_.lines[l.line_begin + k];
        inner_.clear();
        Encoder le(inner_);
        le.field(1, line.function);
        le.field_signed(2, line.line);
        le.field_signed(3, line.column);
        e.bytes(4, inner_);
      }
      e.field(5, l.folded ? 1 : 0);
    });
  }

  // Function (field 5) with id i + 1.
  void function(size_t i) {
    const FunctionRec& f = t_.functions[i];
    message(out_, scratch_, 5, [&](Encoder& e) {
      e.field(1, i + 1);
      e.field(2, f.name);
      e.field(3, f.system_name);
      e.field(4, f.filename);
      e.field_signed(5, f.start_line);
    });
  }

  // The string table (field 6) and the header fields 7..15.
  void strings_and_header() {
    const Header& h = t_.header;
    Encoder e(out_);
    for (std::string_view s : t_.strings) e.bytes(6, s);
    e.field(7, h.drop_frames);
    e.field(8, h.keep_frames);
    e.field_signed(9, h.time_nanos);
    e.field_signed(10, h.duration_nanos);
    value_type(11, h.period_type);
    e.field_signed(12, h.period);
    if (!h.comments.empty()) {
      inner_.clear();
      Encoder c(inner_);
      for (uint32_t id : h.comments) c.varint(id);
      e.bytes(13, inner_);
    }
    e.field(14, h.default_sample_type);
    e.field(15, h.doc_url);
  }

 private:
  const Tables& t_;
  std::string& out_;
  std::string scratch_, inner_;
};

}  // namespace

std::string encode(const Tables& t) {
  std::string out;
  out.reserve(t.stack.size() * 3 + t.samples.size() * 16 + t.locations.size() * 24 + t.lines.size() * 8);
  ProfileWriter w(t, out);
  for (const auto& st : t.header.sample_types) w.value_type(1, st);
  for (size_t i = 0; i < t.samples.size(); ++i) w.sample(i);
  for (size_t i = 0; i < t.mappings.size(); ++i) w.mapping(i);
  for (size_t i = 0; i < t.locations.size(); ++i) w.location(i);
  for (size_t i = 0; i < t.functions.size(); ++i) w.function(i);
  w.strings_and_header();
  return out;
}

}  // namespace pgopipe::pprof_merge
