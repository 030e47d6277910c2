// SPDX-License-Identifier: Apache-2.0
// A direct protobuf wire decoder for profile.proto into Tables: no per-message allocation,
// strings stay views into the input. Field numbers follow core/formats/pprof/profile.proto.
#include "merger/pprof/pprof_tables.hpp"
#include "core/formats/pprof/wire.hpp"

#include <algorithm>
#include <unordered_map>

namespace pgopipe::pprof_merge {
namespace {

using pprof::Wire;

constexpr uint32_t kBad = UINT32_MAX;  // an out-of-range string index seen while decoding

uint32_t str_index(uint64_t v) { return v < kBad ? static_cast<uint32_t>(v) : kBad; }

ValueTypeRec decode_value_type(std::string_view msg, bool& ok) {
  Wire w(msg);
  ValueTypeRec vt;
  uint32_t f, t;
  while (w.tag(f, t)) {
    if (f == 1 && t == 0) vt.type = str_index(w.varint());
    else if (f == 2 && t == 0) vt.unit = str_index(w.varint());
    else w.skip(t);
  }
  ok = ok && w.ok;
  return vt;
}

// Maps raw ids to indices; dense ids (the common 1..n) use a vector.
class IdMap {
 public:
  // Returns false (with `bad` set) on id 0 or a duplicate id.
  bool build(const std::vector<uint64_t>& ids, uint64_t& bad) {
    uint64_t max_id = 0;
    for (uint64_t id : ids) max_id = std::max(max_id, id);
    dense_ = max_id <= ids.size() * 2 + 16;
    if (dense_) dense_map_.assign(static_cast<size_t>(max_id) + 1, 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      uint64_t id = ids[i];
      uint32_t& slot = dense_ ? dense_map_[static_cast<size_t>(id)] : sparse_map_[id];
      if (id == 0 || slot != 0) {
        bad = id;
        return false;
      }
      slot = static_cast<uint32_t>(i + 1);
    }
    return true;
  }
  // The index + 1 of `id`, 0 when unknown.
  [[nodiscard]] uint32_t find(uint64_t id) const {
    if (dense_) return id < dense_map_.size() ? dense_map_[static_cast<size_t>(id)] : 0;
    auto it = sparse_map_.find(id);
    return it == sparse_map_.end() ? 0 : it->second;
  }

 private:
  bool dense_ = true;
  std::vector<uint32_t> dense_map_;
  std::unordered_map<uint64_t, uint32_t> sparse_map_;
};

struct RawIds {
  std::vector<uint64_t> function_ids, mapping_ids, location_ids;
  std::vector<uint64_t> location_mapping;  // per location
  std::vector<uint64_t> line_function;     // per line
  std::vector<std::string_view> sample_msgs;
};

// Mapping (field 3): its id and record; mappings[i] pairs with raw.mapping_ids[i].
bool decode_mapping(std::string_view msg, Tables& out, RawIds& raw) {
  Wire m(msg);
  MappingRec rec;
  uint64_t id = 0;
  uint32_t f, t;
  while (m.tag(f, t)) {
    if (t != 0) { m.skip(t); continue; }
    uint64_t v = m.varint();
    switch (f) {
      case 1: id = v; break;
      case 2: rec.start = v; break;
      case 3: rec.limit = v; break;
      case 4: rec.offset = v; break;
      case 5: rec.filename = str_index(v); break;
      case 6: rec.build_id = str_index(v); break;
      case 7: case 8: case 9: case 10: if (v) rec.flags |= uint8_t(1u << (f - 7)); break;
      default: break;
    }
  }
  out.mappings.push_back(rec);
  raw.mapping_ids.push_back(id);
  return m.ok;
}

// Line (location field 4): appended to out.lines with its raw function id.
bool decode_line(std::string_view msg, Tables& out, RawIds& raw) {
  Wire l(msg);
  LineRec line;
  uint64_t fn = 0;
  uint32_t f, t;
  while (l.tag(f, t)) {
    if (t != 0) { l.skip(t); continue; }
    uint64_t v = l.varint();
    if (f == 1) fn = v;
    else if (f == 2) line.line = static_cast<int64_t>(v);
    else if (f == 3) line.column = static_cast<int64_t>(v);
  }
  out.lines.push_back(line);
  raw.line_function.push_back(fn);
  return l.ok;
}

// Location (field 4): its lines go to out.lines, its ids to raw.
bool decode_location(std::string_view msg, Tables& out, RawIds& raw) {
  Wire m(msg);
  bool ok = true;
  LocationRec rec;
  rec.line_begin = static_cast<uint32_t>(out.lines.size());
  uint64_t id = 0, mapping = 0;
  uint32_t f, t;
  while (m.tag(f, t)) {
    if (f == 4 && t == 2) {
      ok = decode_line(m.bytes(), out, raw) && ok;
    } else if (t == 0) {
      uint64_t v = m.varint();
      if (f == 1) id = v;
      else if (f == 2) mapping = v;
      else if (f == 3) rec.address = v;
      else if (f == 5) rec.folded = v != 0;
    } else {
      m.skip(t);
    }
  }
  rec.line_count = static_cast<uint32_t>(out.lines.size() - rec.line_begin);
  out.locations.push_back(rec);
  raw.location_ids.push_back(id);
  raw.location_mapping.push_back(mapping);
  return ok && m.ok;
}

// Function (field 5): its id and record; functions[i] pairs with raw.function_ids[i].
bool decode_function(std::string_view msg, Tables& out, RawIds& raw) {
  Wire m(msg);
  FunctionRec rec;
  uint64_t id = 0;
  uint32_t f, t;
  while (m.tag(f, t)) {
    if (t != 0) { m.skip(t); continue; }
    uint64_t v = m.varint();
    if (f == 1) id = v;
    else if (f == 2) rec.name = str_index(v);
    else if (f == 3) rec.system_name = str_index(v);
    else if (f == 4) rec.filename = str_index(v);
    else if (f == 5) rec.start_line = static_cast<int64_t>(v);
  }
  out.functions.push_back(rec);
  raw.function_ids.push_back(id);
  return m.ok;
}

// The Profile's scalar fields (7..10, 12, 14, 15) of wire type 0; others are skipped.
void decode_header_scalar(Wire& w, uint32_t f, uint32_t t, Header& h) {
  if (t != 0) {
    w.skip(t);
    return;
  }
  uint64_t v = w.varint();
  if (f == 7) h.drop_frames = str_index(v);
  else if (f == 8) h.keep_frames = str_index(v);
  else if (f == 9) h.time_nanos = static_cast<int64_t>(v);
  else if (f == 10) h.duration_nanos = static_cast<int64_t>(v);
  else if (f == 12) h.period = static_cast<int64_t>(v);
  else if (f == 14) h.default_sample_type = str_index(v);
  else if (f == 15) h.doc_url = str_index(v);
}

// The Profile message: tables and header into `out`, raw ids and sample messages into `raw`
// (samples are decoded once every location id is known).
bool decode_top(std::string_view bytes, Tables& out, RawIds& raw) {
  Wire w(bytes);
  bool ok = true;
  uint32_t f, t;
  while (w.tag(f, t)) {
    switch (f) {
      case 1: out.header.sample_types.push_back(decode_value_type(w.bytes(), ok)); break;
      case 2: raw.sample_msgs.push_back(w.bytes()); break;
      case 3: ok = decode_mapping(w.bytes(), out, raw) && ok; break;
      case 4: ok = decode_location(w.bytes(), out, raw) && ok; break;
      case 5: ok = decode_function(w.bytes(), out, raw) && ok; break;
      case 6: out.strings.push_back(w.bytes()); break;
      case 11: out.header.period_type = decode_value_type(w.bytes(), ok); break;
      case 13:
        w.repeated_varint(t, [&](uint64_t v) { out.header.comments.push_back(str_index(v)); });
        break;
      default: decode_header_scalar(w, f, t, out.header);
    }
  }
  return ok && w.ok;
}

// Every string index of the header, mappings and functions lies inside the string table.
Result<void> check_string_indices(std::string_view name, const Tables& out) {
  const uint64_t nstr = out.strings.size();
  auto check = [&](uint32_t idx, std::string_view what) -> Result<void> {
    if (idx == kBad || idx >= nstr) {
      return make_error(ErrorCode::Input, "{}: {} has a string index outside the string table (size {})",
                        name, what, nstr);
    }
    return success();
  };
  const Header& h = out.header;
  for (const auto& st : h.sample_types) {
    PGO_TRY(check(st.type, "a sample type"));
    PGO_TRY(check(st.unit, "a sample type unit"));
  }
  PGO_TRY(check(h.period_type.type, "period_type"));
  PGO_TRY(check(h.period_type.unit, "period_type unit"));
  for (uint32_t c : h.comments) PGO_TRY(check(c, "a comment"));
  PGO_TRY(check(h.drop_frames, "drop_frames"));
  PGO_TRY(check(h.keep_frames, "keep_frames"));
  PGO_TRY(check(h.default_sample_type, "default_sample_type"));
  PGO_TRY(check(h.doc_url, "doc_url"));
  for (const auto& m : out.mappings) {
    PGO_TRY(check(m.filename, "a mapping filename"));
    PGO_TRY(check(m.build_id, "a mapping build id"));
  }
  for (const auto& fn : out.functions) {
    PGO_TRY(check(fn.name, "a function name"));
    PGO_TRY(check(fn.system_name, "a function system name"));
    PGO_TRY(check(fn.filename, "a function filename"));
  }
  return success();
}

// Builds the id maps and turns the locations' mapping ids and the lines' function ids into
// indices; `locations` is kept for the samples.
Result<void> resolve_ids(std::string_view name, const RawIds& raw, Tables& out, IdMap& locations) {
  IdMap functions, mappings;
  uint64_t bad = 0;
  if (!functions.build(raw.function_ids, bad)) {
    return make_error(ErrorCode::Input, "{}: function id {} is zero or duplicated", name, bad);
  }
  if (!mappings.build(raw.mapping_ids, bad)) {
    return make_error(ErrorCode::Input, "{}: mapping id {} is zero or duplicated", name, bad);
  }
  if (!locations.build(raw.location_ids, bad)) {
    return make_error(ErrorCode::Input, "{}: location id {} is zero or duplicated", name, bad);
  }
  for (size_t i = 0; i < out.locations.size(); ++i) {
    if (uint64_t id = raw.location_mapping[i]; id != 0) {
      out.locations[i].mapping = mappings.find(id);
      if (out.locations[i].mapping == 0) {
        return make_error(ErrorCode::Input, "{}: location {} refers to unknown mapping id {}", name,
                          raw.location_ids[i], id);
      }
    }
  }
  for (size_t i = 0; i < out.lines.size(); ++i) {
    if (uint64_t id = raw.line_function[i]; id != 0) {
      out.lines[i].function = functions.find(id);
      if (out.lines[i].function == 0) {
        return make_error(ErrorCode::Input, "{}: a location line refers to unknown function id {}",
                          name, id);
      }
    }
  }
  return success();
}

// A sample's label (field 3); false when a string index lies outside the string table.
bool decode_label(Wire& m, uint64_t nstr, Tables& out) {
  Wire l(m.bytes());
  LabelRec label;
  uint32_t f, t;
  while (l.tag(f, t)) {
    if (t != 0) { l.skip(t); continue; }
    uint64_t v = l.varint();
    if (f == 1) label.key = str_index(v);
    else if (f == 2) label.str = str_index(v);
    else if (f == 3) label.num = static_cast<int64_t>(v);
    else if (f == 4) label.unit = str_index(v);
  }
  if (!l.ok) m.fail();
  if (label.key == kBad || label.key >= nstr || label.str == kBad || label.str >= nstr ||
      label.unit == kBad || label.unit >= nstr) {
    return false;
  }
  out.labels.push_back(label);
  return true;
}

// Sample `i`: its stack (location ids -> indices), values and labels appended to `out`.
Result<void> decode_sample(std::string_view name, size_t i, std::string_view msg, const IdMap& locations,
                           Tables& out) {
  const uint64_t nstr = out.strings.size();
  const size_t nvalues = out.value_count();
  Wire m(msg);
  SampleRec rec;
  rec.stack_begin = static_cast<uint32_t>(out.stack.size());
  rec.label_begin = static_cast<uint32_t>(out.labels.size());
  size_t values_before = out.values.size();
  uint64_t unknown = 0;
  uint32_t f, t;
  while (m.tag(f, t)) {
    if (f == 1) {
      m.repeated_varint(t, [&](uint64_t id) {
        uint32_t idx = locations.find(id);
        if (idx == 0 && unknown == 0) unknown = id == 0 ? UINT64_MAX : id;
        out.stack.push_back(idx - 1);
      });
    } else if (f == 2) {
      m.repeated_varint(t, [&](uint64_t v) { out.values.push_back(static_cast<int64_t>(v)); });
    } else if (f == 3 && t == 2) {
      if (!decode_label(m, nstr, out)) {
        return make_error(ErrorCode::Input, "{}: sample {} has a label with a string index outside "
                          "the string table", name, i);
      }
    } else {
      m.skip(t);
    }
  }
  if (!m.ok) {
    return make_error(ErrorCode::Input, "{}: sample {} is malformed protobuf data", name, i);
  }
  if (unknown != 0) {
    return make_error(ErrorCode::Input, "{}: sample {} refers to unknown location id {}", name, i,
                      unknown == UINT64_MAX ? 0 : unknown);
  }
  if (out.values.size() - values_before != nvalues) {
    return make_error(ErrorCode::Input, "{}: sample {} has {} values but the profile has {} sample types",
                      name, i, out.values.size() - values_before, nvalues);
  }
  rec.stack_count = static_cast<uint32_t>(out.stack.size() - rec.stack_begin);
  rec.label_count = static_cast<uint32_t>(out.labels.size() - rec.label_begin);
  out.samples.push_back(rec);
  return success();
}

}  // namespace

void Tables::clear() {
  header = Header{};
  strings.clear();
  functions.clear();
  mappings.clear();
  locations.clear();
  lines.clear();
  samples.clear();
  stack.clear();
  labels.clear();
  values.clear();
}

Result<void> decode_tables(std::string_view name, std::string_view bytes, Tables& out) {
  out.clear();
  RawIds raw;
  if (!decode_top(bytes, out, raw)) {
    return make_error(ErrorCode::Input, "{}: not a valid pprof profile (malformed protobuf data)", name);
  }
  if (out.strings.empty() || !out.strings[0].empty()) {
    return make_error(ErrorCode::Input, "{}: {}", name,
                      out.strings.empty() ? "string table is empty (not a pprof profile?)"
                                          : "string table entry 0 is not the empty string");
  }
  PGO_TRY(check_string_indices(name, out));
  IdMap locations;
  PGO_TRY(resolve_ids(name, raw, out, locations));
  out.samples.reserve(raw.sample_msgs.size());
  out.values.reserve(raw.sample_msgs.size() * out.value_count());
  for (size_t i = 0; i < raw.sample_msgs.size(); ++i) {
    PGO_TRY(decode_sample(name, i, raw.sample_msgs[i], locations, out));
  }
  return success();
}

}  // namespace pgopipe::pprof_merge
