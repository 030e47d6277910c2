// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/convert.hpp"

#include <cmath>
#include <fstream>
#include <optional>

#include "core/formats/format.hpp"
#include "core/formats/perf/perf_data.hpp"
#include "core/formats/perf/perf_script.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "merger/convert/binaries.hpp"
#include "merger/convert/pprof_input.hpp"
#include "merger/convert/source_diff.hpp"

namespace pgopipe::convert {
namespace {

// The first `max` bytes of a file (format detection needs no more).
Result<std::string> read_head(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Input, "cannot open input {}", path);
  std::string head(max, '\0');
  in.read(head.data(), static_cast<std::streamsize>(max));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.empty()) return make_error(ErrorCode::Input, "input {} is empty", path);
  return head;
}

bool is_text(std::string_view bytes) {
  return bytes.substr(0, 4096).find('\0') == std::string_view::npos;
}

// perf.data with LBR stacks: llvm-profgen reconstructs execution ranges from them, which
// beats anything derived from IP samples.
Result<void> run_profgen(const ConvertOptions& o) {
  if (o.inputs.size() != 1 || o.binaries.size() != 1)
    return make_error(ErrorCode::Usage,
                      "{} carries branch stacks (LBR): converting it needs exactly one input and "
                      "one --binary (it is handed to llvm-profgen)",
                      o.inputs.front());
  std::string tool = "llvm-profgen-19";
  if (find_program(tool).empty()) tool = "llvm-profgen";
  if (find_program(tool).empty()) return make_error(ErrorCode::Tool, "llvm-profgen-19 not found on PATH");
  PGO_TRY_ASSIGN(AtomicFile tmp, AtomicFile::create(o.output));
  std::vector<std::string> argv{tool, "--perfdata=" + o.inputs.front(), "--binary=" + o.binaries.front(),
                                "--output=" + tmp.temp_path().string(),
                                o.text ? "--format=text" : "--format=extbinary"};
  PGO_TRY_ASSIGN(ProcessExit ran, spawn_and_wait(argv, {.stdin_null = true, .log = false}));
  if (ran.exit_code != 0)
    return make_error(ErrorCode::Tool, "llvm-profgen failed on {} (exit code {})", o.inputs.front(),
                      ran.exit_code);
  return tmp.commit();
}

// Scales each input by its integer weight (explicit x decay, as merge does) and folds all
// inputs into `samples`; notes about raised weights go to `warnings`.
Result<void> weigh_and_fold(const ConvertOptions& o, std::vector<perf::AddressSamples>& loaded,
                            perf::AddressSamples& samples, std::vector<std::string>& warnings) {
  std::vector<merge::WeightInput> inputs;
  for (size_t i = 0; i < loaded.size(); ++i) inputs.push_back({o.inputs[i], loaded[i].collected_at, Duration{0}});
  merge::WeightPolicy policy = o.weights;
  if (policy.window_end == TimePoint{}) policy.window_end = now();
  PGO_TRY_ASSIGN(merge::WeightPlan real, merge::plan_weights(policy, inputs));
  merge::WeightPlan plan = merge::to_integer_weights(real, inputs);
  for (const auto& n : plan.notes) warnings.push_back(n);
  for (size_t i = 0; i < loaded.size(); ++i) {
    loaded[i].scale(static_cast<uint64_t>(std::llround(plan.weights[i])));
    if (i == 0) samples = std::move(loaded[i]);
    else samples.absorb(loaded[i]);
  }
  return success();
}

uint64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

}  // namespace

Result<ConvertResult> convert_to_sample_profile(const ConvertOptions& o) {
  if (o.inputs.empty()) return make_error(ErrorCode::Usage, "no input profile given");
  if (o.binaries.empty() && o.binary_dir.empty())
    return make_error(ErrorCode::Usage, "give the profiled binaries with --binary or --binary-dir");
  ConvertResult result;
  perf::AddressSamples samples;
  std::vector<perf::AddressSamples> loaded;
  uint64_t input_bytes = 0;
  for (const auto& input : o.inputs) {
    PGO_TRY_ASSIGN(std::string bytes, read_head(input, 1 << 20));
    auto format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    perf::AddressSamples one;
    switch (format) {
      case ProfileFormat::PerfData: {
        PGO_TRY_ASSIGN(bool lbr, perf::perf_data_has_branch_stacks(input));
        if (lbr && o.allow_profgen) {
          PGO_TRY(run_profgen(o));
          result.used_profgen = true;
          return result;
        }
        bytes.clear();
        PGO_TRY(perf::read_perf_data(input, one));
        break;
      }
      case ProfileFormat::Pprof:
      case ProfileFormat::PprofGzip: {
        PGO_TRY_ASSIGN(std::string whole, read_file(input));
        PGO_TRY(read_pprof(input, whole, one, o.limits));
        break;
      }
      default:
        if (format != ProfileFormat::PerfScript && !(format == ProfileFormat::Unknown && is_text(bytes)))
          return make_error(ErrorCode::Input,
                            "{}: a {} file cannot be converted (expected pprof, perf.data or perf "
                            "script output)",
                            input, format == ProfileFormat::Unknown ? "unrecognised" : to_string(format));
        PGO_TRY(perf::read_perf_script_file(input, one));
    }
    loaded.push_back(std::move(one));
    if (o.progress) o.progress(loaded.size(), o.inputs.size() + 1, input_bytes += file_size_or_zero(input));
  }
  PGO_TRY(weigh_and_fold(o, loaded, samples, result.warnings));
  PGO_TRY_ASSIGN(auto binaries, BinarySet::open(o.binaries, o.binary_dir));
  std::optional<SourceDiff> diff;
  if (!o.source_diff.empty()) {
    PGO_TRY_ASSIGN(std::string text, read_file(o.source_diff));
    PGO_TRY_ASSIGN(diff, SourceDiff::parse(o.source_diff, text));
  }
  BuildOptions build{o.text, o.call_line_samples, o.line_counts, diff ? &*diff : nullptr,
                     o.restore_lost_callers};
  PGO_TRY_ASSIGN(result.report, build_sample_profile(samples, *binaries, build, o.output));
  if (o.progress) o.progress(o.inputs.size() + 1, o.inputs.size() + 1, input_bytes);
  const ConvertReport& r = result.report;
  for (const auto& [what, n] : r.unmatched)
    result.warnings.push_back(fmt::format("{} frame(s) in {}: no matching binary given, not attributed", n, what));
  if (r.input.unmapped_frames)
    result.warnings.push_back(fmt::format("{} frame(s) outside every mapping", r.input.unmapped_frames));
  if (r.outside_segment_frames)
    result.warnings.push_back(fmt::format("{} frame(s) outside the binary's loadable segments",
                                          r.outside_segment_frames));
  if (r.changed_by_diff_samples)
    result.warnings.push_back(fmt::format("{} sample(s) on lines {} changes: dropped, not applied to other code",
                                          r.changed_by_diff_samples, o.source_diff));
  if (r.unsymbolized_frames)
    result.warnings.push_back(fmt::format(
        "{} frame(s) not attributed to a source line ({} address(es) without debug info, the "
        "rest compiler-generated line-0 code){}{}",
        r.unsymbolized_frames, r.unsymbolized_addresses, r.symbolizer_error.empty() ? "" : ": ",
        r.symbolizer_error));
  return result;
}

}  // namespace pgopipe::convert
