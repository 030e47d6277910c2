// SPDX-License-Identifier: Apache-2.0
// A compact, index-based view of one pprof profile: the shape both a decoded input and the
// merge engine's accumulated state share. Strings are views (into the input bytes or the
// engine's arena); every reference is an index (+1 where 0 means "none"), never a raw id.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::pprof_merge {

struct FunctionRec {
  uint32_t name = 0, system_name = 0, filename = 0;  // string indices
  int64_t start_line = 0;
};

struct MappingRec {
  uint64_t start = 0, limit = 0, offset = 0;
  uint32_t filename = 0, build_id = 0;  // string indices
  uint8_t flags = 0;  // bit 0..3: has_functions, has_filenames, has_line_numbers, has_inline_frames
};

struct LocationRec {
  uint64_t address = 0;
  uint32_t mapping = 0;  // mapping index + 1; 0 = no mapping
  uint32_t line_begin = 0, line_count = 0;  // range in Tables::lines
  bool folded = false;
};

struct LineRec {
  uint32_t function = 0;  // function index + 1; 0 = unknown
  int64_t line = 0, column = 0;
};

struct LabelRec {
  uint32_t key = 0, str = 0, unit = 0;  // string indices
  int64_t num = 0;
};

struct SampleRec {
  uint32_t stack_begin = 0, stack_count = 0;  // range in Tables::stack (location indices)
  uint32_t label_begin = 0, label_count = 0;  // range in Tables::labels
};

struct ValueTypeRec {
  uint32_t type = 0, unit = 0;  // string indices
};

struct Header {
  std::vector<ValueTypeRec> sample_types;
  ValueTypeRec period_type;
  int64_t period = 0, time_nanos = 0, duration_nanos = 0;
  std::vector<uint32_t> comments;
  uint32_t drop_frames = 0, keep_frames = 0, default_sample_type = 0, doc_url = 0;
};

struct Tables {
  Header header;
  std::vector<std::string_view> strings;  // strings[0] == ""
  std::vector<FunctionRec> functions;
  std::vector<MappingRec> mappings;
  std::vector<LocationRec> locations;
  std::vector<LineRec> lines;
  std::vector<SampleRec> samples;
  std::vector<uint32_t> stack;      // location indices, leaf first
  std::vector<LabelRec> labels;
  std::vector<int64_t> values;      // samples.size() * header.sample_types.size()

  [[nodiscard]] size_t value_count() const { return header.sample_types.size(); }
  void clear();
};

// Decodes uncompressed profile.proto bytes into `out` (strings view into `bytes`), resolving
// ids to indices and checking every string index and id reference; the first problem is an
// Input error naming `name`.
Result<void> decode_tables(std::string_view name, std::string_view bytes, Tables& out);

// Encodes tables as uncompressed profile.proto bytes (ids are index + 1).
std::string encode(const Tables& t);

// Splits the profile's fields (sample types, samples, mappings, locations, functions, strings,
// header, in encode's order) into `parts` runs of similar encoded size: parts + 1 boundaries.
std::vector<size_t> split_items(const Tables& t, size_t parts);

// Encodes the fields [begin, end) of split_items' order: runs encoded apart and concatenated
// in order are encode(t)'s bytes.
std::string encode(const Tables& t, size_t begin, size_t end);

// About how many bytes encode(t) writes (to size buffers and decide how to split).
size_t encoded_size_estimate(const Tables& t);

// Writes the profile to `out` atomically, gzipped when `compress` (level 1). A large profile is
// encoded and compressed in parts on up to `threads` threads, one gzip member per part
// (concatenated members are one gzip stream).
Result<void> write_tables(const Tables& t, const std::filesystem::path& out, bool compress, int threads);

}  // namespace pgopipe::pprof_merge
