// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/pprof_input.hpp"

#include <cmath>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::pprof_merge {
namespace {

// Durations below this are taken as this when normalising, so a profile claiming a few
// nanoseconds cannot outweigh every other input by orders of magnitude. 10 ms is one period
// of Go's 100 Hz CPU sampling: no real CPU profile with a sample is shorter.
constexpr int64_t kMinNormalizedDuration = 10'000'000;  // 10 ms: weight at most 6000

std::string describe_types(const Tables& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.header.sample_types.size(); ++i) {
    const auto& st = t.header.sample_types[i];
    out += fmt::format("{}{}/{}", i ? " " : "", t.strings[st.type], t.strings[st.unit]);
  }
  return out + fmt::format("] (period {}/{})", t.strings[t.header.period_type.type],
                           t.strings[t.header.period_type.unit]);
}

}  // namespace

Result<double> prepare_input(std::string_view name, std::string_view bytes, double weight,
                             const merge::MergeOptions& options, const merge::WarnFn& warn,
                             std::string& inflated, Tables& out) {
  if (!(weight > 0) || !std::isfinite(weight)) {
    return make_error(ErrorCode::Usage, "{}: weight {} must be a positive number", name, weight);
  }
  if (bytes.empty()) return make_error(ErrorCode::Input, "{}: empty file (zero bytes), not a pprof profile", name);
  std::string_view raw = bytes;
  if (pprof::is_gzip(bytes)) {
    PGO_TRY_ASSIGN(raw, pprof::gunzip_into(name, bytes, options.limits.max_decompressed_bytes, inflated));
  } else if (bytes.size() > options.limits.max_decompressed_bytes) {
    return make_error(ErrorCode::Input, "{}: {} bytes exceed the input limit of {} bytes "
                      "(limits.max_decompressed_bytes)", name, bytes.size(),
                      options.limits.max_decompressed_bytes);
  }
  PGO_TRY(pprof::check_decoded_size(name, raw, options.limits));
  PGO_TRY(decode_tables(name, raw, out));
  if (options.normalize_duration && out.header.duration_nanos > 0) {
    int64_t duration = out.header.duration_nanos;
    if (duration < kMinNormalizedDuration) {
      if (warn) {
        warn(std::string(name), fmt::format("duration_nanos {} is below 10 ms; normalised as 10 ms "
                                            "(weight at most 6000)", duration));
      }
      duration = kMinNormalizedDuration;
    }
    weight *= 60e9 / static_cast<double>(duration);  // one minute each
  }
  return weight;
}

Result<void> check_sample_types(std::string_view name, const Tables& input, const Tables& merged,
                                std::string_view first_merged) {
  const Header& a = merged.header;
  const Header& b = input.header;
  bool same = a.sample_types.size() == b.sample_types.size() &&
              merged.strings[a.period_type.type] == input.strings[b.period_type.type] &&
              merged.strings[a.period_type.unit] == input.strings[b.period_type.unit];
  for (size_t i = 0; same && i < a.sample_types.size(); ++i) {
    same = merged.strings[a.sample_types[i].type] == input.strings[b.sample_types[i].type] &&
           merged.strings[a.sample_types[i].unit] == input.strings[b.sample_types[i].unit];
  }
  if (same) return success();
  return make_error(ErrorCode::Input,
                    "{}: incompatible sample types {}; the profiles merged before it (first: {}) "
                    "have {}",
                    name, describe_types(input), first_merged, describe_types(merged));
}

}  // namespace pgopipe::pprof_merge
