// SPDX-License-Identifier: Apache-2.0
#include "cli/push_check.hpp"

#include <fmt/format.h>

#include <cstring>

#include "core/formats/perf/perf_data.hpp"
#include "core/formats/pprof/pprof.hpp"
#include "merger/engine.hpp"

namespace pgopipe::cli {
namespace {

bool is_hex(std::string_view id) {
  return !id.empty() && id.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// pprof: the build ID of the main binary (the first mapping, the pprof convention).
Result<std::string> pprof_build_id(const std::string& name, std::string_view bytes, const InputLimits& limits) {
  PGO_TRY_ASSIGN(pprof::Profile profile, pprof::parse(name, bytes, {.limits = limits}));
  return pprof::main_build_id(profile);
}

// perf.data (file mode): the header's attribute and data sections lie inside the file, so a
// truncated recording is refused without reading its samples. Pipe-mode files have no sections.
Result<void> check_perf_sections(const std::string& name, std::string_view bytes) {
  auto u64_at = [&bytes](size_t at) {
    uint64_t v = 0;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
  };
  constexpr size_t kHeader = 104;  // magic, size, attr_size, attrs, data, event_types, features
  if (bytes.size() < 16) return make_error(ErrorCode::Input, "{}: truncated perf.data header", name);
  if (u64_at(8) == 16) return success();  // pipe mode
  if (bytes.size() < kHeader) return make_error(ErrorCode::Input, "{}: truncated perf.data header", name);
  for (size_t section : {24u, 40u}) {
    uint64_t offset = u64_at(section), size = u64_at(section + 8);
    if (offset > bytes.size() || size > bytes.size() - offset) {
      return make_error(ErrorCode::Input, "{}: truncated perf.data ({} bytes; its {} section ends at byte {})",
                        name, bytes.size(), section == 24 ? "attribute" : "data", offset + size);
    }
  }
  return success();
}

// perf.data: the one profiled executable among the listed files (not the kernel, vdso or a
// shared library); none when there are several.
Result<std::string> perf_build_id(const std::filesystem::path& file) {
  auto ids = perf::perf_data_build_ids(file.string());
  if (!ids) return make_error(ErrorCode::Input, "{}: perf cannot read it: {}", file.string(), ids.error().message);
  std::string found;
  for (const auto& [id, path] : *ids) {
    std::string base = std::filesystem::path(path).filename().string();
    if (path.empty() || path[0] == '[' || base.find(".so") != std::string::npos || !is_hex(id)) continue;
    if (!found.empty() && found != id) return std::string();
    found = id;
  }
  return found;
}

}  // namespace

Result<ProfileFacts> inspect_profile(const std::filesystem::path& file, std::string_view bytes,
                                     const InputLimits& limits, bool allow_unknown) {
  ProfileFacts facts;
  facts.format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  const std::string name = file.string();
  Result<std::string> id = std::string();
  switch (family_of(facts.format)) {
    case ProfileFamily::Pprof: id = pprof_build_id(name, bytes, limits); break;
    case ProfileFamily::Instr:
    case ProfileFamily::Sample: {
      auto summary = merge::summarize_profile(name, bytes, 0, limits);
      if (!summary) return summary.error();
      if (summary->build_ids.size() == 1) id = summary->build_ids.front();
      break;
    }
    case ProfileFamily::Perf:
      if (facts.format == ProfileFormat::PerfData) {
        PGO_TRY(check_perf_sections(name, bytes));
        id = perf_build_id(file);
      }
      break;
    case ProfileFamily::Unknown:
      if (allow_unknown) return facts;
      return make_error(ErrorCode::Input,
                        "{}: not a profile ({} bytes; pprof, LLVM .profraw/.profdata, LLVM sample "
                        "profile, perf.data or perf script text); --allow-unknown stores it anyway",
                        name, bytes.size());
  }
  if (!id) return id.error();
  facts.build_id = is_hex(*id) ? *id : std::string();
  return facts;
}

Result<std::map<std::string, std::string>> hour_digests(store::Store& store, const ProfileMeta& meta) {
  store::Query q;
  q.app = meta.app;
  auto hour = std::chrono::floor<std::chrono::hours>(meta.collected_at);
  q.window = {hour, hour + std::chrono::hours(1)};
  PGO_TRY_ASSIGN(auto objects, store.list(q, nullptr));
  std::map<std::string, std::string> digests;
  for (const auto& o : objects) digests.emplace(o.meta.sha256, o.key);
  return digests;
}

}  // namespace pgopipe::cli
