// SPDX-License-Identifier: Apache-2.0
// Chooses the merge engine and the summariser for a profile family.
#include "merger/engine.hpp"

#include "merger/llvm/instr_engine.hpp"
#include "merger/llvm/sample_engine.hpp"
#include "merger/pprof/pprof_engine.hpp"

namespace pgopipe::merge {

Result<std::unique_ptr<MergeEngine>> make_merge_engine(ProfileFamily family,
                                                       const MergeOptions& options, WarnFn warn) {
  if (options.output_format != ProfileFormat::Unknown && family_of(options.output_format) != family) {
    return make_error(ErrorCode::Usage, "output format {} cannot hold a merged {} profile",
                      to_string(options.output_format), to_string(family));
  }
  switch (family) {
    case ProfileFamily::Pprof: return pprof_merge::make_pprof_engine(options, std::move(warn));
    case ProfileFamily::Instr: return llvm_merge::make_instr_engine(options, std::move(warn));
    case ProfileFamily::Sample: return llvm_merge::make_sample_engine(options, std::move(warn));
    case ProfileFamily::Perf:
      return make_error(ErrorCode::Usage, "perf data is converted, not merged: use pgopipe convert");
    case ProfileFamily::Unknown: break;
  }
  return make_error(ErrorCode::Input, "unknown profile kind");
}

namespace {

Result<ProfileSummary> summarize_family(std::string_view name, std::string_view bytes, size_t top,
                                        const InputLimits& limits) {
  ProfileFormat format =
      detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  switch (family_of(format)) {
    case ProfileFamily::Pprof: return pprof_merge::summarize_pprof(name, bytes, top, limits);
    case ProfileFamily::Instr: return llvm_merge::summarize_instr(name, bytes, top);
    case ProfileFamily::Sample: return llvm_merge::summarize_sample(name, bytes, top);
    case ProfileFamily::Perf:
      return make_error(ErrorCode::Input, "{}: perf data; convert it with pgopipe convert first", name);
    case ProfileFamily::Unknown: break;
  }
  return make_error(ErrorCode::Input,
                    "{}: not a recognised profile (pprof, LLVM .profraw/.profdata, LLVM sample profile)",
                    name);
}

}  // namespace

Result<ProfileSummary> summarize_profile(std::string_view name, std::string_view bytes, size_t top,
                                         const InputLimits& limits) {
  PGO_TRY_ASSIGN(ProfileSummary summary, summarize_family(name, bytes, top, limits));
  for (HotFunction& h : summary.hottest) {
    h.share = summary.total ? static_cast<double>(h.count) / static_cast<double>(summary.total) : 0;
  }
  return summary;
}

}  // namespace pgopipe::merge
