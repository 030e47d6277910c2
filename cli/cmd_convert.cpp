// SPDX-License-Identifier: Apache-2.0
// pgopipe convert IN... --to llvm-sample -o OUT [--binary PATH]... [--binary-dir DIR] [--text]
//   [--weight IN=N]... [--weight-file FILE] [--half-life D]
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/usage.hpp"

#include <spdlog/spdlog.h>
#include "core/store/transfer.hpp"
#include "merger/convert/convert.hpp"

namespace pgopipe::cli {

void register_convert(CLI::App& app, Cli& cli) {
  auto opts = std::make_shared<convert::ConvertOptions>();
  auto to = std::make_shared<std::string>("llvm-sample");
  auto output = std::make_shared<std::string>();
  auto weighting = std::make_shared<WeightFlags>();
  auto line_counts = std::make_shared<std::string>("flow");
  auto* cmd = app.add_subcommand(
      "convert", "Convert CPU samples (pprof with build IDs, perf.data, perf script) into an LLVM "
                 "sample profile for clang -fprofile-sample-use");
  cmd->add_option("inputs", opts->inputs, "Input profiles")->required();
  choices(cmd->add_option("--to", *to, "Output kind (default llvm-sample)"), {"llvm-sample"});
  cmd->add_option("-o,--output", *output, "Output sample profile")->required();
  cmd->add_option("--binary", opts->binaries, "Profiled binary with debug info (repeatable)");
  cmd->add_option("--binary-dir", opts->binary_dir,
                  "Directory of binaries by build ID (DIR/<id>, DIR/.build-id/ab/cdef.debug)");
  cmd->add_flag("--text", opts->text, "Write the text format instead of extbinary");
  cmd->add_flag("--call-line-samples", opts->call_line_samples,
                "Also add the samples spent in callees to the call lines of their callers");
  cmd->add_flag("--stacks-as-recorded", [opts](std::int64_t) { opts->restore_lost_callers = false; },
                "Keep call edges as the stacks record them: for stacks not unwound by frame pointers "
                "(DWARF call graphs from perf, Go's profiler), which do not skip the caller of a function sampled "
                "in its prologue or at its return");
  choices(cmd->add_option("--line-counts", *line_counts,
                          "A line's count from its instructions' IP samples: blocks estimates how often it "
                          "ran from each basic block's samples per instruction; flow (default) fits those "
                          "estimates to the control flow; sum is the time spent on it"),
          {"flow", "blocks", "sum", "max", "mean"});
  cmd->add_option("--source-diff", opts->source_diff,
                  "Unified diff from the profiled source to the source being built (git diff PROFILED "
                  "HEAD): samples move to their lines' new places, samples on changed lines are dropped");
  add_weight_flags(*cmd, *weighting);
  cmd->callback([&cli, opts, output, to, weighting, line_counts] {
    cli.action = [&cli, opts, output, to, weighting, line_counts]() -> Result<void> {
      (void)to;  // only "llvm-sample" exists; kept alive for CLI11
      using LineCounts = convert::BuildOptions::LineCounts;
      opts->line_counts = *line_counts == "max"    ? LineCounts::Max
                          : *line_counts == "mean" ? LineCounts::Mean
                          : *line_counts == "sum"    ? LineCounts::Sum
                          : *line_counts == "blocks" ? LineCounts::Blocks
                                                     : LineCounts::Flow;
      PGO_TRY_ASSIGN(Config config, cli.config());  // also sets up logging
      PGO_TRY(apply_weight_flags(*weighting, opts->weights));
      opts->output = *output;
      opts->limits = config.limits.value;
      opts->progress = store::terminal_progress("convert");  // a bar on a terminal, nothing when piped
      PGO_TRY_ASSIGN(auto result, convert::convert_to_sample_profile(*opts));
      for (const auto& w : result.warnings) spdlog::warn("{}", w);
      const auto& r = result.report;
      if (cli.json()) {
        nlohmann::json j{{"output", *output},
                         {"used_llvm_profgen", result.used_profgen},
                         {"samples", r.samples},
                         {"attributed_samples", r.attributed_samples},
                         {"functions", r.functions},
                         {"call_edges", r.call_edges},
                         {"lost_caller_samples", r.lost_caller_samples},
                         {"restored_caller_samples", r.restored_caller_samples},
                         {"kernel_frames", r.input.kernel_frames},
                         {"unmapped_frames", r.input.unmapped_frames},
                         {"no_binary_frames", r.no_binary_frames},
                         {"outside_segment_frames", r.outside_segment_frames},
                         {"unsymbolized_frames", r.unsymbolized_frames},
                         {"binaries", r.binaries_used},
                         {"warnings", result.warnings}};
        fmt::print("{}\n", j.dump(2));
      } else if (result.used_profgen) {
        spdlog::info("branch stacks found: llvm-profgen wrote {}", *output);
      } else {
        spdlog::info("wrote {}: {} of {} samples attributed, {} functions, {} call edges", *output,
                     r.attributed_samples, r.samples, r.functions, r.call_edges);
      }
      return success();
    };
  });
}

}  // namespace pgopipe::cli
