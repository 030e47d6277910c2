// SPDX-License-Identifier: Apache-2.0
// Encodes Tables straight into profile.proto wire format (no intermediate message objects, so
// writing a large merged profile costs one output buffer). Field numbers follow
// core/formats/pprof/profile.proto; zero scalars are omitted as proto3 does.
#include <algorithm>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "core/parallel.hpp"
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

  // String i of the string table (field 6).
  void string(size_t i) { Encoder(out_).bytes(6, t_.strings[i]); }

  // The header fields 7..15.
  void header() {
    const Header& h = t_.header;
    Encoder e(out_);
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

namespace {

// Below this much encoded profile per thread, writing on one more thread costs more than it saves.
constexpr size_t kMinPartBytes = size_t{4} << 20;

// The items of a profile in the order they are written: sample types, samples, mappings,
// locations, functions, strings, then the header. Each item's bytes follow from it alone, so
// ranges of items can be encoded apart and concatenated in order.
struct Items {
  size_t types, samples, mappings, locations, functions, strings;
  explicit Items(const Tables& t)
      : types(t.header.sample_types.size()),
        samples(types + t.samples.size()),
        mappings(samples + t.mappings.size()),
        locations(mappings + t.locations.size()),
        functions(locations + t.functions.size()),
        strings(functions + t.strings.size()) {}
  [[nodiscard]] size_t count() const { return strings + 1; }  // + the header
};

// A rough size of item i in bytes, to split a profile into parts of similar size.
size_t item_size(const Tables& t, const Items& items, size_t i) {
  if (i < items.types) return 4;
  if (i < items.samples) {
    const SampleRec& s = t.samples[i - items.types];
    return 4 + 2 * size_t{s.stack_count} + 4 * t.value_count() + 6 * size_t{s.label_count};
  }
  if (i < items.mappings) return 40;
  if (i < items.locations) return 12 + 8 * size_t{t.locations[i - items.mappings].line_count};
  if (i < items.functions) return 16;
  if (i < items.strings) return 2 + t.strings[i - items.functions].size();
  return 32;
}

}  // namespace

size_t encoded_size_estimate(const Tables& t) {
  return t.stack.size() * 3 + t.samples.size() * 16 + t.locations.size() * 24 + t.lines.size() * 8;
}

std::vector<size_t> split_items(const Tables& t, size_t parts) {
  const Items items(t);
  size_t total = 0;
  for (size_t i = 0; parts > 1 && i < items.count(); ++i) total += item_size(t, items, i);
  total = std::max<size_t>(total, 1);
  // Part k starts at the first item whose running size reaches k * total / parts.
  std::vector<size_t> bounds{0};
  size_t running = 0;
  for (size_t i = 0; i < items.count() && bounds.size() < parts; ++i) {
    while (bounds.size() < parts && running * parts >= bounds.size() * total) bounds.push_back(i);
    running += item_size(t, items, i);
  }
  bounds.resize(parts + 1, items.count());
  return bounds;
}

std::string encode(const Tables& t, size_t begin, size_t end) {
  const Items items(t);
  std::string out;
  out.reserve(encoded_size_estimate(t) * (end - begin) / std::max<size_t>(items.count(), 1));
  ProfileWriter w(t, out);
  for (size_t i = begin; i < end; ++i) {
    if (i < items.types) {
      w.value_type(1, t.header.sample_types[i]);
    } else if (i < items.samples) {
      w.sample(i - items.types);
    } else if (i < items.mappings) {
      w.mapping(i - items.samples);
    } else if (i < items.locations) {
      w.location(i - items.mappings);
    } else if (i < items.functions) {
      w.function(i - items.locations);
    } else if (i < items.strings) {
      w.string(i - items.functions);
    } else {
      w.header();
    }
  }
  return out;
}

std::string encode(const Tables& t) { return encode(t, 0, Items(t).count()); }

Result<void> write_tables(const Tables& t, const std::filesystem::path& out, bool compress, int threads) {
  const size_t parts = std::clamp<size_t>(encoded_size_estimate(t) / kMinPartBytes, 1,
                                          static_cast<size_t>(std::max(threads, 1)));
  const std::vector<size_t> bounds = split_items(t, parts);
  std::vector<std::string> pieces(parts);
  auto write_part = [&](size_t k) -> Result<void> {
    pieces[k] = encode(t, bounds[k], bounds[k + 1]);
    if (compress) {
      // Level 1: merged profiles are large and read by tools, so speed beats the last few %.
      PGO_TRY_ASSIGN(pieces[k], pprof::gzip(pieces[k], 1));
    }
    return success();
  };
  PGO_TRY(parallel_for(parts, static_cast<int>(parts), write_part));
  PGO_TRY_ASSIGN(AtomicFile file, AtomicFile::create(out));
  for (auto& piece : pieces) {
    PGO_TRY(file.write(piece));
    std::string().swap(piece);
  }
  return file.commit();
}

}  // namespace pgopipe::pprof_merge
