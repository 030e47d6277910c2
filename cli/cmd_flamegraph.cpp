// SPDX-License-Identifier: Apache-2.0
// pgopipe flamegraph PROFILE -o flame.svg [--title T] [--sample-type NAME] [--width N]
#include <spdlog/spdlog.h>

#include "cli/cli.hpp"
#include "cli/usage.hpp"
#include "core/fs.hpp"
#include "report/flamegraph.hpp"

namespace pgopipe::cli {

void register_flamegraph(CLI::App& app, Cli& cli) {
  struct Args {
    std::string profile, output, title, sample_type;
    int width = 1200;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("flamegraph", "Draw a profile (pprof, LLVM sample or instrumented) as an SVG flame graph");
  cmd->add_option("profile", a->profile, "Profile file")->required();
  cmd->add_option("-o,--output", a->output, "SVG file to write")->required();
  cmd->add_option("--title", a->title, "Title drawn above the graph (default: the profile's file name)");
  cmd->add_option("--sample-type", a->sample_type, "pprof sample type to draw (default: the last one)");
  in_range(cmd->add_option("--width", a->width, "Width in px (default 1200)"), 200, 100000);
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> Result<void> {
      PGO_TRY_ASSIGN(Config config, cli.config());
      report::FlameOptions options;
      options.limits = config.limits.value;
      options.title = a->title.empty() ? std::filesystem::path(a->profile).filename().string() : a->title;
      options.width = a->width;
      options.sample_type = a->sample_type;
      PGO_TRY_ASSIGN(std::string svg, report::flamegraph_svg_from_file(a->profile, options));
      PGO_TRY(write_file_atomic(a->output, svg));
      spdlog::info("wrote {} ({} bytes)", a->output, svg.size());
      return success();
    };
  });
}

}  // namespace pgopipe::cli
