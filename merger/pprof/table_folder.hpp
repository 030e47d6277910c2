// SPDX-License-Identifier: Apache-2.0
// Folds decoded pprof tables into merged ones, the way pprof's own merge unifies them: an
// input's strings, functions, mappings and locations are mapped to merged indices lazily (only
// what its kept samples reference) through open-addressing tables keyed by precomputed hashes
// of compact ids, and samples with the same stack and labels add up.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "merger/pprof/index_table.hpp"
#include "merger/pprof/pprof_tables.hpp"
#include "merger/pprof/string_arena.hpp"

namespace pgopipe::pprof_merge {

class TableFolder {
 public:
  TableFolder() { clear(); }

  // Folds `src` (a decoded input or another folder's tables), each value times `weight`
  // (saturating), into the merged tables; true when a scaled value saturated.
  bool fold(const Tables& src, double weight);

  // The merged tables; written (and rescaled) in place.
  [[nodiscard]] Tables& merged() { return t_; }
  [[nodiscard]] const Tables& merged() const { return t_; }

  // Whether anything was folded since construction or clear().
  [[nodiscard]] bool has_input() const { return has_input_; }

  // Empties the merged tables and frees their memory.
  void clear();

 private:
  static constexpr uint32_t kUnmapped = UINT32_MAX;
  struct MappingMemo {
    uint32_t index = kUnmapped;
    int64_t delta = 0;  // merged start - input start (addresses move with the mapping)
  };

  uint32_t intern(std::string_view s);
  uint32_t map_string(uint32_t i);
  uint32_t map_function(uint32_t i);
  MappingMemo map_mapping(uint32_t i);
  uint64_t location_key(uint32_t i, LocationRec& r, std::vector<LineRec>& lines);
  uint32_t find_or_add_location(LocationRec r, uint64_t h, const LineRec* lines, uint32_t count);
  uint32_t map_location(uint32_t i);
  void map_locations_ahead(const Tables& src, const int64_t* values);
  const int64_t* scaled_values(const Tables& src, double weight);
  void fold_sample(const SampleRec& s, const int64_t* values);
  void combine_header(const Header& s);

  Tables t_;
  StringArena arena_;
  IndexTable strings_ix_, functions_ix_, mappings_ix_, locations_ix_, samples_ix_;
  bool has_input_ = false;
  bool clamped_ = false;  // a scaled value of the current input saturated
  // Per-fold state: the input being folded and its index -> merged index memos.
  const Tables* src_ = nullptr;
  std::vector<uint32_t> str_memo_, fn_memo_, loc_memo_, scratch_stack_;
  std::vector<MappingMemo> map_memo_;
  std::vector<LineRec> scratch_lines_;
  // A location waiting in map_locations_ahead's batch: its merged form (lines in ahead_lines_).
  struct LocationAhead {
    uint32_t index;
    LocationRec r;
    uint64_t h;
    uint32_t line_begin, line_count;
    uint32_t likely;  // the merged location its probe would try first (IndexTable::likely)
  };
  std::vector<LocationAhead> ahead_;
  std::vector<LineRec> ahead_lines_;
  std::vector<LabelRec> scratch_labels_;
  std::vector<int64_t> scaled_;  // the current input's values times its weight
};

}  // namespace pgopipe::pprof_merge
