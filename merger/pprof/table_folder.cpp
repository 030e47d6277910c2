// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/table_folder.hpp"

#include <algorithm>
#include <functional>
#include <tuple>

#include "merger/pprof/sample_totals.hpp"

namespace pgopipe::pprof_merge {
namespace {

// pprof's mapping identity: rounded size, offset, and build id (else file name).
struct MappingKey {
  uint64_t size, offset;
  uint32_t name;
  uint8_t kind;  // 1 build id, 2 file, 0 neither (all such fake mappings unify)
  bool operator==(const MappingKey&) const = default;
};

MappingKey mapping_key(const MappingRec& m) {
  uint64_t size = m.limit - m.start;
  size = (size + 0xfff) & ~uint64_t{0xfff};
  if (m.build_id != 0) return {size, m.offset, m.build_id, 1};
  if (m.filename != 0) return {size, m.offset, m.filename, 2};
  return {size, m.offset, 0, 0};
}

int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// False for a sample whose `n` (scaled) values are all zero: pprof drops such samples.
bool kept(const int64_t* values, size_t n) {
  return std::any_of(values, values + n, [](int64_t v) { return v != 0; });
}

}  // namespace

void TableFolder::clear() {
  t_ = Tables{};  // frees memory (an absorbed engine is emptied)
  arena_.clear();
  for (IndexTable* table : {&strings_ix_, &functions_ix_, &mappings_ix_, &locations_ix_, &samples_ix_}) {
    table->clear();
  }
  has_input_ = false;
  intern("");
}

uint32_t TableFolder::intern(std::string_view s) {
  auto candidate = static_cast<uint32_t>(t_.strings.size());
  uint64_t h = std::hash<std::string_view>{}(s);
  uint32_t idx = strings_ix_.find_or_insert(h, candidate, [&](uint32_t i) { return t_.strings[i] == s; });
  if (idx == candidate) t_.strings.push_back(arena_.store(s));
  return idx;
}

uint32_t TableFolder::map_string(uint32_t i) {
  uint32_t& m = str_memo_[i];
  if (m == kUnmapped) m = intern(src_->strings[i]);
  return m;
}

uint32_t TableFolder::map_function(uint32_t i) {
  uint32_t& m = fn_memo_[i];
  if (m != kUnmapped) return m;
  const FunctionRec& s = src_->functions[i];
  FunctionRec r{map_string(s.name), map_string(s.system_name), map_string(s.filename), s.start_line};
  uint64_t h = hash_mix(hash_mix(hash_mix(hash_mix(1, r.name), r.system_name), r.filename),
                        static_cast<uint64_t>(r.start_line));
  auto candidate = static_cast<uint32_t>(t_.functions.size());
  m = functions_ix_.find_or_insert(h, candidate, [&](uint32_t j) {
    const FunctionRec& o = t_.functions[j];
    return o.name == r.name && o.system_name == r.system_name && o.filename == r.filename &&
           o.start_line == r.start_line;
  });
  if (m == candidate) t_.functions.push_back(r);
  return m;
}

TableFolder::MappingMemo TableFolder::map_mapping(uint32_t i) {
  MappingMemo& m = map_memo_[i];
  if (m.index != kUnmapped) return m;
  const MappingRec& s = src_->mappings[i];
  MappingRec r = s;
  r.filename = map_string(s.filename);
  r.build_id = map_string(s.build_id);
  MappingKey key = mapping_key(r);
  uint64_t h = hash_mix(hash_mix(hash_mix(hash_mix(2, key.size), key.offset), key.name), key.kind);
  auto candidate = static_cast<uint32_t>(t_.mappings.size());
  m.index = mappings_ix_.find_or_insert(h, candidate,
                                        [&](uint32_t j) { return mapping_key(t_.mappings[j]) == key; });
  if (m.index == candidate) t_.mappings.push_back(r);
  m.delta = static_cast<int64_t>(t_.mappings[m.index].start - s.start);
  return m;
}

// The merged form of input location i (its lines, mapped, appended to `lines`) and its hash.
uint64_t TableFolder::location_key(uint32_t i, LocationRec& r, std::vector<LineRec>& lines) {
  const LocationRec& s = src_->locations[i];
  r = LocationRec{};
  r.folded = s.folded;
  r.address = s.address;
  uint64_t key_addr = s.address;
  if (s.mapping != 0) {
    MappingMemo mm = map_mapping(s.mapping - 1);
    r.mapping = mm.index + 1;
    r.address = static_cast<uint64_t>(static_cast<int64_t>(s.address) + mm.delta);
    key_addr = r.address - t_.mappings[mm.index].start;
  }
  uint64_t h = hash_mix(hash_mix(hash_mix(3, r.mapping), key_addr), r.folded);
  for (uint32_t k = 0; k < s.line_count; ++k) {
    const LineRec& l = src_->lines[s.line_begin + k];
    LineRec ml{l.function != 0 ? map_function(l.function - 1) + 1 : 0, l.line, l.column};
    h = hash_mix(hash_mix(hash_mix(h, ml.function), static_cast<uint64_t>(ml.line)),
                 static_cast<uint64_t>(ml.column));
    lines.push_back(ml);
  }
  return h;
}

// The merged index of location `r` with hash `h` and `count` lines, added if new.
uint32_t TableFolder::find_or_add_location(LocationRec r, uint64_t h, const LineRec* lines, uint32_t count) {
  auto candidate = static_cast<uint32_t>(t_.locations.size());
  uint32_t m = locations_ix_.find_or_insert(h, candidate, [&](uint32_t j) {
    const LocationRec& o = t_.locations[j];
    if (o.mapping != r.mapping || o.address != r.address || o.folded != r.folded || o.line_count != count) {
      return false;
    }
    for (uint32_t k = 0; k < count; ++k) {
      const LineRec& a = t_.lines[o.line_begin + k];
      if (a.function != lines[k].function || a.line != lines[k].line || a.column != lines[k].column) return false;
    }
    return true;
  });
  if (m == candidate) {
    r.line_begin = static_cast<uint32_t>(t_.lines.size());
    r.line_count = count;
    t_.lines.insert(t_.lines.end(), lines, lines + count);
    t_.locations.push_back(r);
  }
  return m;
}

uint32_t TableFolder::map_location(uint32_t i) {
  uint32_t& m = loc_memo_[i];
  if (m != kUnmapped) return m;
  scratch_lines_.clear();
  LocationRec r;
  uint64_t h = location_key(i, r, scratch_lines_);
  m = find_or_add_location(r, h, scratch_lines_.data(), static_cast<uint32_t>(scratch_lines_.size()));
  return m;
}

// Maps every location the input's kept (non-zero) samples reference, in the order folding
// would first reach them (so -j 1 outputs stay deterministic), a batch at a time: for
// the whole batch first the table slots, then the likely merged locations, then their
// lines are prefetched, so these dependent cache misses overlap instead of queueing.
void TableFolder::map_locations_ahead(const Tables& src, const int64_t* values) {
  constexpr size_t kBatch = 16;
  constexpr uint32_t kQueued = kUnmapped - 1;
  auto flush = [&] {
    for (const LocationAhead& a : ahead_) locations_ix_.prefetch(a.h);
    for (LocationAhead& a : ahead_) {
      a.likely = locations_ix_.likely(a.h);
      if (a.likely != IndexTable::kNone) __builtin_prefetch(&t_.locations[a.likely]);
    }
    for (const LocationAhead& a : ahead_) {
      if (a.likely != IndexTable::kNone) __builtin_prefetch(&t_.lines[t_.locations[a.likely].line_begin]);
    }
    for (const LocationAhead& a : ahead_) {
      loc_memo_[a.index] = find_or_add_location(a.r, a.h, ahead_lines_.data() + a.line_begin, a.line_count);
    }
    ahead_.clear();
    ahead_lines_.clear();
  };
  const size_t n = t_.value_count();
  for (size_t i = 0; i < src.samples.size(); ++i) {
    const SampleRec& s = src.samples[i];
    if (!kept(values + i * n, n)) continue;  // fold_sample drops it without mapping its stack
    for (uint32_t k = 0; k < s.stack_count; ++k) {
      uint32_t loc = src.stack[s.stack_begin + k];
      if (loc_memo_[loc] != kUnmapped) continue;
      loc_memo_[loc] = kQueued;
      LocationAhead a{loc, {}, 0, static_cast<uint32_t>(ahead_lines_.size()), 0, IndexTable::kNone};
      a.h = location_key(loc, a.r, ahead_lines_);
      a.line_count = static_cast<uint32_t>(ahead_lines_.size()) - a.line_begin;
      ahead_.push_back(a);
      if (ahead_.size() == kBatch) flush();
    }
  }
  flush();
}

// The input's sample values times `weight` (saturating, and noting it in clamped_): the
// input's own values when the weight is 1, else scaled once into scaled_.
const int64_t* TableFolder::scaled_values(const Tables& src, double weight) {
  if (weight == 1.0) return src.values.data();
  scaled_.resize(src.values.size());
  for (size_t i = 0; i < src.values.size(); ++i) scaled_[i] = scale_value(src.values[i], weight, clamped_);
  return scaled_.data();
}

// Folds input sample `s` with its scaled `values` into the merged samples.
void TableFolder::fold_sample(const SampleRec& s, const int64_t* values) {
  const size_t n = t_.value_count();
  if (!kept(values, n)) return;
  scratch_stack_.clear();
  uint64_t h = hash_mix(4, s.stack_count);
  for (uint32_t k = 0; k < s.stack_count; ++k) {
    uint32_t loc = map_location(src_->stack[s.stack_begin + k]);
    scratch_stack_.push_back(loc);
    h = hash_mix(h, loc);
  }
  scratch_labels_.clear();
  for (uint32_t k = 0; k < s.label_count; ++k) {
    const LabelRec& l = src_->labels[s.label_begin + k];
    scratch_labels_.push_back({map_string(l.key), map_string(l.str), map_string(l.unit), l.num});
  }
  auto label_less = [](const LabelRec& a, const LabelRec& b) {
    return std::tie(a.key, a.str, a.num, a.unit) < std::tie(b.key, b.str, b.num, b.unit);
  };
  if (scratch_labels_.size() > 1) std::sort(scratch_labels_.begin(), scratch_labels_.end(), label_less);
  for (const LabelRec& l : scratch_labels_) {
    h = hash_mix(hash_mix(hash_mix(hash_mix(h, l.key), l.str), static_cast<uint64_t>(l.num)), l.unit);
  }
  auto candidate = static_cast<uint32_t>(t_.samples.size());
  uint32_t idx = samples_ix_.find_or_insert(h, candidate, [&](uint32_t j) {
    const SampleRec& o = t_.samples[j];
    if (o.stack_count != scratch_stack_.size() || o.label_count != scratch_labels_.size()) return false;
    if (!std::equal(scratch_stack_.begin(), scratch_stack_.end(), t_.stack.begin() + o.stack_begin)) {
      return false;
    }
    for (uint32_t k = 0; k < o.label_count; ++k) {
      const LabelRec& a = t_.labels[o.label_begin + k];
      const LabelRec& b = scratch_labels_[k];
      if (a.key != b.key || a.str != b.str || a.num != b.num || a.unit != b.unit) return false;
    }
    return true;
  });
  if (idx == candidate) {
    SampleRec r{static_cast<uint32_t>(t_.stack.size()), s.stack_count,
                static_cast<uint32_t>(t_.labels.size()), s.label_count};
    t_.stack.insert(t_.stack.end(), scratch_stack_.begin(), scratch_stack_.end());
    t_.labels.insert(t_.labels.end(), scratch_labels_.begin(), scratch_labels_.end());
    t_.values.insert(t_.values.end(), values, values + n);
    t_.samples.push_back(r);
  } else {
    int64_t* acc = t_.values.data() + size_t{idx} * n;
    for (size_t k = 0; k < n; ++k) acc[k] = wrapping_add(acc[k], values[k]);
  }
}

void TableFolder::combine_header(const Header& s) {
  Header& h = t_.header;
  if (!has_input_) {
    for (const auto& st : s.sample_types) h.sample_types.push_back({map_string(st.type), map_string(st.unit)});
    h.period_type = {map_string(s.period_type.type), map_string(s.period_type.unit)};
  }
  if (s.time_nanos != 0 && (h.time_nanos == 0 || s.time_nanos < h.time_nanos)) h.time_nanos = s.time_nanos;
  h.duration_nanos = wrapping_add(h.duration_nanos, s.duration_nanos);
  h.period = std::max(h.period, s.period);
  for (uint32_t c : s.comments) {
    uint32_t mc = map_string(c);
    if (std::find(h.comments.begin(), h.comments.end(), mc) == h.comments.end()) h.comments.push_back(mc);
  }
  for (auto [dst, src] : {std::pair{&h.drop_frames, s.drop_frames}, std::pair{&h.keep_frames, s.keep_frames},
                          std::pair{&h.default_sample_type, s.default_sample_type},
                          std::pair{&h.doc_url, s.doc_url}}) {
    if (*dst == 0) *dst = map_string(src);
  }
}

bool TableFolder::fold(const Tables& src, double weight) {
  src_ = &src;
  clamped_ = false;
  str_memo_.assign(src.strings.size(), kUnmapped);
  fn_memo_.assign(src.functions.size(), kUnmapped);
  loc_memo_.assign(src.locations.size(), kUnmapped);
  map_memo_.assign(src.mappings.size(), MappingMemo{});
  combine_header(src.header);
  has_input_ = true;
  // The first mapping conventionally is the main binary: keep it first.
  if (t_.mappings.empty() && !src.mappings.empty()) map_mapping(0);
  const size_t n = t_.value_count();
  const int64_t* values = scaled_values(src, weight);
  map_locations_ahead(src, values);
  for (size_t i = 0; i < src.samples.size(); ++i) fold_sample(src.samples[i], values + i * n);
  src_ = nullptr;
  return clamped_;
}

}  // namespace pgopipe::pprof_merge
