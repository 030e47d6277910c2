// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/pprof_input.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <vector>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::convert {
namespace {

constexpr uint64_t kKernelStart = 0xffff800000000000ULL;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int value_index(const pprof::Profile& p) {
  for (int i = 0; i < p.sample_type_size(); ++i)
    if (pprof::string_at(p, p.sample_type(i).type()) == "samples") return i;
  return 0;
}

}  // namespace

Result<void> read_pprof(std::string_view name, std::string_view bytes, perf::AddressSamples& out,
                        const InputLimits& limits) {
  PGO_TRY_ASSIGN(pprof::Profile p, pprof::parse(name, bytes, {.limits = limits}));
  if (p.sample_type_size() == 0)
    return make_error(ErrorCode::Input, "{}: pprof profile has no sample types", name);
  const int vi = value_index(p);
  if (p.time_nanos() > 0) out.collected_at = TimePoint(Duration(p.time_nanos()));

  struct MappingInfo {
    uint32_t index = perf::kNoMapping;
    bool kernel = false;
  };
  std::unordered_map<uint64_t, MappingInfo> mappings;
  for (const auto& m : p.mapping()) {
    std::string file(pprof::string_at(p, m.filename()));
    MappingInfo info;
    info.kernel = m.memory_start() >= kKernelStart || file.starts_with("[kernel") ||
                  file.starts_with("[vdso") || file == "[vsyscall]";
    if (!info.kernel && m.memory_limit() > m.memory_start())
      info.index = out.add_mapping(perf::Mapping{m.memory_start(), m.memory_limit(), m.file_offset(),
                                           lower(pprof::string_at(p, m.build_id())), file});
    mappings[m.id()] = info;
  }
  struct LocationInfo {
    perf::Frame frame;
    bool kernel = false;
  };
  std::unordered_map<uint64_t, LocationInfo> locations;
  locations.reserve(static_cast<size_t>(p.location_size()));
  for (const auto& l : p.location()) {
    LocationInfo info;
    info.frame.address = l.address();
    auto it = mappings.find(l.mapping_id());
    if (it != mappings.end()) {
      info.kernel = it->second.kernel;
      const perf::Mapping* m = it->second.index == perf::kNoMapping ? nullptr : &out.mappings()[it->second.index];
      if (m && l.address() >= m->start && l.address() < m->limit) info.frame.mapping = it->second.index;
    }
    if (l.address() >= kKernelStart) info.kernel = true;
    locations[l.id()] = info;
  }

  std::vector<perf::Frame> stack;
  uint64_t with_address = 0;
  for (const auto& s : p.sample()) {
    if (s.value_size() <= vi || s.value(vi) <= 0) continue;
    auto count = static_cast<uint64_t>(s.value(vi));
    out.stats.samples += count;
    stack.clear();
    for (uint64_t id : s.location_id()) {
      const LocationInfo& l = locations[id];
      if (l.kernel) {
        out.stats.kernel_frames += count;
        continue;
      }
      if (l.frame.mapping == perf::kNoMapping) out.stats.unmapped_frames += count;
      stack.push_back(l.frame);
    }
    if (stack.empty()) {
      out.stats.empty_samples += count;
      continue;
    }
    with_address += count;
    out.add(stack, count);
  }
  if (with_address == 0)
    return make_error(ErrorCode::Input,
                      "{}: no sample with a user-space address (the profile is empty or only "
                      "symbolized, without addresses and mappings)",
                      name);
  return success();
}

}  // namespace pgopipe::convert
