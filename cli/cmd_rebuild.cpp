// SPDX-License-Identifier: Apache-2.0
// pgopipe rebuild --config pgo.yaml [--report-dir DIR] [--store URL] [--wait DURATION]
//                 [--unlock --yes]
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "cli/stop_signals.hpp"
#include "rebuild/lock.hpp"
#include "rebuild/pipeline.hpp"
#include "rebuild/rebuild_config.hpp"

namespace pgopipe::cli {
namespace {

struct RebuildArgs {
  std::string config, report_dir, store, wait, runs, source_diff;
  bool unlock = false, yes = false;
};

constexpr const char* kExitCodes =
    "Exit codes: 0 published, 10 unchanged (nothing rebuilt), 11 gated (the PGO build was slower "
    "than the baseline beyond gate.max_slowdown; not published), 12 busy (another rebuild of the "
    "app holds the lock), 1-9 errors as for every command (3 config, 5 store, 8 tool, 9 no "
    "profiles in the window).";

// --unlock: breaks the app's lock by hand (after a crashed run) and says whose it was.
Result<void> unlock(store::Store& store, const std::string& app, bool yes) {
  if (!yes) {
    return make_error(ErrorCode::Usage,
                      "--unlock breaks the lock even if a rebuild is running; add --yes to confirm");
  }
  PGO_TRY_ASSIGN(std::optional<rebuild::LockHolder> was, rebuild::break_lock(store, rebuild::lock_prefix(app)));
  if (!was) {
    fmt::print("the lock {} was not held\n", rebuild::lock_prefix(app));
  } else {
    fmt::print("broke the lock {} held by host {}, pid {}, since {} ({})\n", rebuild::lock_prefix(app),
               was->host, was->pid, was->started,
               was->live(now()) ? "it had not expired" : "it had expired");
  }
  return success();
}

Result<void> run(Cli& cli, const RebuildArgs& a) {
  PGO_TRY_ASSIGN(rebuild::RebuildConfig rc, rebuild::load_rebuild_config(a.config));
  if (!a.report_dir.empty()) rc.report_dir = std::filesystem::absolute(a.report_dir);
  if (!a.store.empty()) {
    cli.set_flag("store", a.store);
  } else if (!rc.store.empty()) {
    cli.override_setting({"store", rc.store, rc.store_origin});
  }
  for (const auto& [key, value_origin] : rc.s3) {
    cli.override_setting({key, value_origin.first, value_origin.second});
  }
  cli.override_setting({"app", rc.app, rc.app_origin});
  auto config = cli.config();
  if (!config) return config.error();
  rc.limits = config->limits.value;
  rebuild::RebuildOptions options;
  // Ctrl-C, systemd stop or a CronJob deadline end the run at the next stage boundary
  // instead of killing it, so the lock is released and nothing half-done is published.
  StopSignals stop_signals;
  options.interrupted = [] { return StopSignals::stop_requested().load(); };
  options.source_diff = a.source_diff;
  if (!a.wait.empty()) {
    auto wait = parse_duration(a.wait);
    if (!wait || *wait < Duration{0}) {
      return make_error(ErrorCode::Usage, "--wait '{}' is not a duration such as 10m", a.wait);
    }
    options.wait = *wait;
  }
  PGO_TRY_ASSIGN(auto store, cli.open_configured_store(*config));
  if (a.unlock) return unlock(*store, rc.app, a.yes);
  // With --json, stdout carries only the JSON: builds and benchmark runs inherit stdout, so
  // it points at stderr while they run.
  int saved_stdout = -1;
  if (cli.json()) {
    std::fflush(stdout);
    saved_stdout = ::dup(STDOUT_FILENO);
    if (saved_stdout >= 0) ::dup2(STDERR_FILENO, STDOUT_FILENO);
  }
  rebuild::RebuildRun result = rebuild::run_rebuild(*store, rc, options);
  if (saved_stdout >= 0) {
    std::fflush(stdout);
    ::dup2(saved_stdout, STDOUT_FILENO);
    ::close(saved_stdout);
  }
  cli.exit_code = rebuild::rebuild_exit_code(result);
  const rebuild::RunReport& r = result.report;
  if (cli.json()) {
    nlohmann::json j{{"outcome", std::string(rebuild::outcome_name(r.outcome))},
                     {"message", r.message},
                     {"profiles_merged", r.profiles_merged},
                     {"published_key", r.published_key},
                     {"report_dir", rc.report_dir.string()}};
    if (r.overlap_with_published) j["overlap"] = *r.overlap_with_published;
    if (r.benchmark) {
      j["speedup"] = r.benchmark->speedup;
      j["speedup_low"] = r.benchmark->speedup_low;
      j["speedup_high"] = r.benchmark->speedup_high;
      j["pairs"] = r.benchmark->baseline_seconds.size();
      j["verdict"] = r.benchmark->verdict;
      j["decided"] = r.benchmark->decided;
    }
    fmt::print("{}\n", j.dump(2));
  }
  if (result.error) return *result.error;
  if (r.outcome == rebuild::RebuildOutcome::Busy) {
    spdlog::warn("{}", r.message);
  } else {
    spdlog::info("rebuild {}: {}", rebuild::outcome_name(r.outcome), r.message);
  }
  return success();
}

}  // namespace

void register_rebuild(CLI::App& app, Cli& cli) {
  auto a = std::make_shared<RebuildArgs>();
  auto* cmd = app.add_subcommand(
      "rebuild", "Scheduled PGO rebuild: fetch a window, merge, compare, build, benchmark, gate, publish");
  cmd->add_option("--config", a->config, "The rebuild config (pgo.yaml)")->required();
  cmd->add_option("--report-dir", a->report_dir, "Write report.html/.md/.json here (default: report.dir)");
  cmd->add_option("--store", a->store, "Store URL (default: the config's store)");
  cmd->add_option("--wait", a->wait, "Wait up to this long (e.g. 30m) for a busy lock instead of exiting 12");
  cmd->add_option("--source-diff", a->source_diff,
                  "Unified diff from the profiled source to the source being built (git diff PROFILED "
                  "HEAD), applied when the window's CPU samples are converted")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--unlock", a->unlock,
                 "Break the app's lock by hand (after a crashed run) and say whose it was; needs --yes");
  cmd->add_flag("--yes", a->yes, "Confirm --unlock");
  cmd->footer(kExitCodes);
  cmd->callback([&cli, a] { cli.action = [&cli, a] { return run(cli, *a); }; });
}

}  // namespace pgopipe::cli
