// SPDX-License-Identifier: Apache-2.0
// pgopipe gc --app A [--older-than 30d] [--rollups-older-than 365d] [--uncompacted] [--dry-run] [--force]
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "core/terminal.hpp"
#include "core/store/rollup_gc.hpp"
#include "core/store/transfer.hpp"

namespace pgopipe::cli {
namespace {

// Retentions shorter than this need --force: they delete profiles still being collected.
constexpr Duration kMinRetention = std::chrono::hours{1};

struct GcArgs {
  std::string app, older_than, rollups_older_than;
  bool dry_run = false, force = false, uncompacted = false;
};

Result<TimePoint> cutoff_of(const std::string& flag, const std::string& value, const GcArgs& a) {
  PGO_TRY_ASSIGN(TimePoint cutoff, parse_time(value, now()));
  if (now() - cutoff < kMinRetention && !a.force && !a.dry_run) {
    return make_error(ErrorCode::Usage,
                      "{} {} keeps less than 1h of profiles (cutoff {}); this deletes profiles "
                      "pushed moments ago: add --force if you mean it",
                      flag, value, format_rfc3339(cutoff));
  }
  return cutoff;
}

Result<void> gc_raw(Cli& cli, store::Store& store, const std::string& app, const Config& config, const GcArgs& a) {
  PGO_TRY_ASSIGN(TimePoint cutoff, cutoff_of("--older-than", a.older_than, a));
  std::vector<store::DamagedObject> damaged;
  PGO_TRY_ASSIGN(auto due, store::list_older_than(store, app, cutoff, &damaged));
  store::RawGcPlan plan;
  if (a.uncompacted) {
    plan.remove = std::move(due);
  } else {
    PGO_TRY_ASSIGN(plan, store::plan_raw_gc(store, app, std::move(due)));
  }
  if (!a.dry_run) {
    spdlog::info("deleting {} profile(s) of {} collected before {}", plan.remove.size(), app, format_rfc3339(cutoff));
    PGO_TRY(store::remove_objects(store, plan.remove, config.concurrency.value));
  }
  if (cli.json()) {
    nlohmann::json keys = nlohmann::json::array(), kept = nlohmann::json::array();
    for (const auto& o : plan.remove) keys.push_back(o.key);
    for (const auto& o : plan.uncompacted) kept.push_back(o.key);
    fmt::print("{}\n", nlohmann::json{{"dry_run", a.dry_run}, {"keys", keys}, {"uncompacted", kept},
                                       {"damaged", damaged.size()}}.dump(2));
  } else {
    for (const auto& o : plan.remove) fmt::print("{}\n", terminal_safe(o.key));
  }
  spdlog::info("{} {} profile(s) of {} collected before {}", a.dry_run ? "would delete" : "deleted",
               plan.remove.size(), app, format_rfc3339(cutoff));
  if (!plan.uncompacted.empty()) {
    spdlog::warn("kept {} profile(s) of hours not compacted yet (run pgopipe compact, or gc --uncompacted to "
                 "delete them anyway)", plan.uncompacted.size());
  }
  if (!damaged.empty()) {
    spdlog::warn("{} damaged object(s) skipped (list them with pgopipe ls --check)", damaged.size());
  }
  return success();
}

Result<void> gc_rollups(Cli& cli, store::Store& store, const std::string& app, const GcArgs& a) {
  PGO_TRY_ASSIGN(TimePoint cutoff, cutoff_of("--rollups-older-than", a.rollups_older_than, a));
  PGO_TRY_ASSIGN(auto removed, store::gc_rollups_older_than(store, app, cutoff, a.dry_run));
  if (cli.json()) {
    fmt::print("{}\n", nlohmann::json{{"dry_run", a.dry_run}, {"rollups", removed}}.dump(2));
  } else {
    for (const auto& k : removed) fmt::print("{}\n", terminal_safe(k));
  }
  spdlog::info("{} {} rollup(s) of {} that ended before {}", a.dry_run ? "would delete" : "deleted",
               removed.size(), app, format_rfc3339(cutoff));
  return success();
}

}  // namespace

void register_gc(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<GcArgs>();
  auto* cmd = app.add_subcommand("gc", "Delete raw profiles and rollups collected before a cutoff");
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--older-than", args->older_than, "Age (30d) or absolute time of the raw profiles' cutoff");
  cmd->add_option("--rollups-older-than", args->rollups_older_than,
                  "Age (365d) or absolute time of the rollups' cutoff (pgopipe compact writes them)");
  cmd->add_flag("--uncompacted", args->uncompacted,
                "Also delete raw profiles of hours no rollup covers yet (kept by default once an app has rollups)");
  cmd->add_flag("--dry-run", args->dry_run, "Only list what would be deleted");
  cmd->add_flag("--force", args->force, "Allow a retention under 1h (deletes profiles just pushed)");
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (args->older_than.empty() && args->rollups_older_than.empty()) {
        return make_error(ErrorCode::Usage, "gc needs --older-than (raw profiles), --rollups-older-than, or both");
      }
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(std::string app_name, cli.require_app(config));
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      if (!args->older_than.empty()) PGO_TRY(gc_raw(cli, *store, app_name, config, *args));
      if (!args->rollups_older_than.empty()) PGO_TRY(gc_rollups(cli, *store, app_name, *args));
      return success();
    };
  });
}

}  // namespace pgopipe::cli
