// SPDX-License-Identifier: Apache-2.0
// pgopipe gc --app A --older-than 30d [--dry-run] [--force]
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "core/terminal.hpp"
#include "core/store/transfer.hpp"

namespace pgopipe::cli {

// Retentions shorter than this need --force: they delete profiles still being collected.
constexpr Duration kMinRetention = std::chrono::hours{1};

void register_gc(CLI::App& app, Cli& cli) {
  struct Args {
    std::string app, older_than;
    bool dry_run = false, force = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("gc", "Delete profiles collected before a cutoff");
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--older-than", args->older_than, "Age (30d) or absolute time of the cutoff")
      ->required();
  cmd->add_flag("--dry-run", args->dry_run, "Only list what would be deleted");
  cmd->add_flag("--force", args->force, "Allow a retention under 1h (deletes profiles just pushed)");
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(std::string app_name, cli.require_app(config));
      PGO_TRY_ASSIGN(TimePoint cutoff, parse_time(args->older_than, now()));
      if (now() - cutoff < kMinRetention && !args->force && !args->dry_run) {
        return make_error(ErrorCode::Usage,
                          "--older-than {} keeps less than 1h of profiles (cutoff {}); this "
                          "deletes profiles pushed moments ago: add --force if you mean it",
                          args->older_than, format_rfc3339(cutoff));
      }
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      auto announce = [&](size_t n) {
        spdlog::info("deleting {} profile(s) of {} collected before {}", n, app_name,
                     format_rfc3339(cutoff));
      };
      std::vector<store::DamagedObject> damaged;
      PGO_TRY_ASSIGN(auto removed, store::gc_older_than(*store, app_name, cutoff, args->dry_run,
                                                 config.concurrency.value, announce, &damaged));
      if (cli.json()) {
        nlohmann::json keys = nlohmann::json::array();
        for (const auto& o : removed) keys.push_back(o.key);
        fmt::print("{}\n", nlohmann::json{{"dry_run", args->dry_run}, {"keys", keys},
                                           {"damaged", damaged.size()}}.dump(2));
      } else {
        for (const auto& o : removed) fmt::print("{}\n", terminal_safe(o.key));
      }
      spdlog::info("{} {} profile(s) of {} collected before {}",
                   args->dry_run ? "would delete" : "deleted", removed.size(), app_name,
                   format_rfc3339(cutoff));
      if (!damaged.empty()) {
        spdlog::warn("{} damaged object(s) skipped (list them with pgopipe ls --check)", damaged.size());
      }
      return success();
    };
  });
}

}  // namespace pgopipe::cli
