// SPDX-License-Identifier: Apache-2.0
// `pgopipe show` for pprof: totals and flat values per function of the first sample type.
#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "core/formats/pprof/pprof.hpp"
#include "merger/pprof/pprof_engine.hpp"
#include "merger/pprof/pprof_tables.hpp"

namespace pgopipe::pprof_merge {

Result<merge::ProfileSummary> summarize_pprof(std::string_view name, std::string_view bytes, size_t top,
                                       const InputLimits& limits) {
  PGO_TRY_ASSIGN(std::string raw, pprof::decompress(name, bytes, limits.max_decompressed_bytes));
  PGO_TRY(pprof::check_decoded_size(name, raw, limits));
  pprof_merge::Tables t;
  PGO_TRY(pprof_merge::decode_tables(name, raw, t));
  merge::ProfileSummary summary;
  summary.format = pprof::is_gzip(bytes) ? ProfileFormat::PprofGzip : ProfileFormat::Pprof;
  for (const auto& st : t.header.sample_types) {
    summary.sample_types.push_back(fmt::format("{}/{}", t.strings[st.type], t.strings[st.unit]));
  }
  for (const auto& m : t.mappings) {
    if (m.build_id != 0) summary.build_ids.emplace_back(t.strings[m.build_id]);
  }
  std::sort(summary.build_ids.begin(), summary.build_ids.end());
  summary.build_ids.erase(std::unique(summary.build_ids.begin(), summary.build_ids.end()),
                          summary.build_ids.end());
  std::unordered_map<std::string, uint64_t> flat;
  for (const auto& f : t.functions) flat.try_emplace(std::string(t.strings[f.name]), 0);
  summary.functions = flat.size();
  const size_t n = t.value_count();
  for (size_t i = 0; n > 0 && i < t.samples.size(); ++i) {
    int64_t v = t.values[i * n];
    summary.total += static_cast<uint64_t>(std::max<int64_t>(v, 0));
    const auto& s = t.samples[i];
    if (s.stack_count == 0 || v <= 0) continue;
    const auto& leaf = t.locations[t.stack[s.stack_begin]];
    std::string fn;
    if (leaf.line_count > 0 && t.lines[leaf.line_begin].function != 0) {
      fn = t.strings[t.functions[t.lines[leaf.line_begin].function - 1].name];
    } else {
      fn = fmt::format("0x{:x}", leaf.address);
    }
    flat[fn] += static_cast<uint64_t>(v);
  }
  for (auto& [fn, count] : flat) {
    if (count > 0) summary.hottest.push_back({fn, count});
  }
  std::sort(summary.hottest.begin(), summary.hottest.end(), [](const merge::HotFunction& a, const merge::HotFunction& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  });
  if (summary.hottest.size() > top) summary.hottest.resize(top);
  return summary;
}

Result<double> flat_overlap(std::string_view base_name, std::string_view base,
                            std::string_view test_name, std::string_view test, const InputLimits& limits) {
  constexpr size_t kAll = SIZE_MAX;
  PGO_TRY_ASSIGN(merge::ProfileSummary a, summarize_pprof(base_name, base, kAll, limits));
  PGO_TRY_ASSIGN(merge::ProfileSummary b, summarize_pprof(test_name, test, kAll, limits));
  if (a.total == 0 || b.total == 0) return 0.0;
  std::unordered_map<std::string, double> share_a;
  for (const auto& f : a.hottest) share_a[f.name] = static_cast<double>(f.count) / static_cast<double>(a.total);
  double overlap = 0;
  for (const auto& f : b.hottest) {
    auto it = share_a.find(f.name);
    if (it != share_a.end()) overlap += std::min(it->second, static_cast<double>(f.count) / static_cast<double>(b.total));
  }
  return std::min(overlap, 1.0);
}

}  // namespace pgopipe::pprof_merge
