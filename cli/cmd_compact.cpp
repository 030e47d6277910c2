// SPDX-License-Identifier: Apache-2.0
// pgopipe compact --app A [--since 48h] [--until T]
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "cli/cli.hpp"
#include "cli/usage.hpp"
#include "merger/compact.hpp"

namespace pgopipe::cli {

void register_compact(CLI::App& app, Cli& cli) {
  struct Args {
    std::string app, since = "48h", until;
    int jobs = 2;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("compact", "Merge closed hours and days of raw profiles into rollups");
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--since", args->since,
                  "Oldest hours to compact (default 48h: late uploads up to two days old are still merged)");
  cmd->add_option("--until", args->until, "Compact hours and days that ended by then (default: now)");
  in_range(cmd->add_option("-j,--jobs", args->jobs, "Merge workers per rollup (default 2)"), 1, 1024);
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      merge::CompactRequest req;
      PGO_TRY_ASSIGN(req.app, cli.require_app(config));
      PGO_TRY_ASSIGN(req.window, parse_window(args->since, args->until, now()));
      req.limits = config.limits.value;
      req.jobs = args->jobs;
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      PGO_TRY_ASSIGN(merge::CompactReport r, merge::compact(*store, req));
      if (cli.json()) {
        fmt::print("{}\n", nlohmann::json{{"hour_generations", r.hour_generations},
                                           {"quarter_generations", r.quarter_generations},
                                           {"day_generations", r.day_generations},
                                           {"raw_profiles", r.raw_profiles},
                                           {"parts", r.parts},
                                           {"skipped", r.skipped},
                                           {"up_to_date", r.up_to_date},
                                           {"damaged", r.damaged}}
                                .dump(2));
      }
      spdlog::info("compacted {} raw profile(s) of {} into {} hour, {} quarter and {} day rollup(s) ({} part(s)); "
                   "{} period(s) already up to date, {} input(s) skipped",
                   r.raw_profiles, req.app, r.hour_generations, r.quarter_generations, r.day_generations, r.parts,
                   r.up_to_date, r.skipped);
      if (r.damaged > 0) spdlog::warn("{} damaged object(s) or manifest(s) skipped", r.damaged);
      return success();
    };
  });
}

}  // namespace pgopipe::cli
