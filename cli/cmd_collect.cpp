// SPDX-License-Identifier: Apache-2.0
// pgopipe collect http --url URL --app A [--interval 5m] [--count N] [--label k=v]...
// pgopipe collect perf (--pid PID | -- CMD ARGS...) --app A [--frequency 99] [--duration 30s]
//                      [--interval 5m] [--count N] [--label k=v]...
// pgopipe collect spool --dir D [--interval 10s] [--once]
#include <thread>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "cli/stop_signals.hpp"
#include "core/redact.hpp"
#include "collector/http_scraper.hpp"
#include "collector/perf_sampler.hpp"
#include "collector/spool.hpp"

namespace pgopipe::cli {
namespace {

void log_line(std::string_view level, const std::string& message) {
  if (level == "error") spdlog::error("{}", message);
  else if (level == "warning") spdlog::warn("{}", message);
  else spdlog::info("{}", message);
}

// Flags every collector shares: labels and the spool used while the store is unreachable.
struct UploadFlags {
  std::string spool_dir;
  uint64_t spool_max_bytes = uint64_t{256} << 20;
  std::vector<std::string> labels;
};

void add_upload_flags(CLI::App& cmd, UploadFlags& f) {
  cmd.add_option("--label", f.labels, "Label k=v added to every profile, repeatable");
  cmd.add_option("--spool-dir", f.spool_dir,
                 "Where profiles wait while the store is unreachable (default: ~/.cache/pgopipe/spool/<app>)");
  cmd.add_option("--spool-max-bytes", f.spool_max_bytes, "Spool size bound (default 256 MiB)");
}

collector::Uploader make_uploader(const Config& config, const std::string& app, const UploadFlags& f) {
  return collector::Uploader(config.store.value, config.store_options(),
                             f.spool_dir.empty() ? collector::default_spool_dir(app)
                                                 : std::filesystem::path(f.spool_dir),
                             f.spool_max_bytes, log_line);
}

void register_collect_http(CLI::App& collect, Cli& cli) {
  struct Args {
    std::string url, app, interval = "5m", timeout;
    uint64_t count = 0;
    bool follow_redirects = false;
    UploadFlags upload;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = collect.add_subcommand("http", "Scrape pprof CPU profiles from an HTTP endpoint");
  cmd->add_option("--url", args->url,
                  "Profile URL, e.g. http://127.0.0.1:6060/debug/pprof/profile?seconds=30")
      ->required();
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--interval", args->interval, "Time between scrapes (default 5m)");
  cmd->add_option("--count", args->count, "Stop after this many scrapes (default: run until stopped)");
  cmd->add_option("--timeout", args->timeout, "Per-request timeout (default: profile seconds + 30s)");
  cmd->add_flag("--follow-redirects", args->follow_redirects,
                "Follow redirects to the same scheme and host (at most 3); refused by default");
  add_upload_flags(*cmd, args->upload);
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      collector::HttpScrapeSettings s;
      PGO_TRY_ASSIGN(s.app, cli.require_app(config));
      s.url = args->url;
      s.follow_redirects = args->follow_redirects;
      if (!s.url.starts_with("http://") && !s.url.starts_with("https://")) {
        return make_error(ErrorCode::Usage, "--url '{}' is not an http:// or https:// URL", redact_url(s.url));
      }
      PGO_TRY_ASSIGN(s.interval, parse_duration(args->interval));
      if (s.interval <= Duration{0}) return make_error(ErrorCode::Usage, "--interval must be positive");
      if (!args->timeout.empty()) {
        PGO_TRY_ASSIGN(s.timeout, parse_duration(args->timeout));
      }
      if (args->count > 0) s.count = args->count;
      PGO_TRY_ASSIGN(s.labels, parse_labels(args->upload.labels));
      collector::Uploader uploader = make_uploader(config, s.app, args->upload);
      spdlog::info("scraping {} every {} into {}", redact_url(s.url), format_duration(s.interval),
                   config.store.value);
      StopSignals signals;
      const std::atomic<bool>& stop = StopSignals::stop_requested();
      auto stats = collector::run_http_scraper(s, uploader, stop);
      spdlog::info("scraper stopped: {} profile(s) from {} scrape(s){}", stats.delivered,
                   stats.attempts, stop ? " (signal)" : "");
      if (!stop && s.count && stats.delivered == 0) {
        return make_error(ErrorCode::Input, "no profile scraped from {} in {} attempt(s)", redact_url(s.url),
                          stats.attempts);
      }
      return success();
    };
  });
}

void register_collect_perf(CLI::App& collect, Cli& cli) {
  struct Args {
    std::string app, duration = "30s", interval = "5m";
    int pid = 0;
    unsigned frequency = 99;
    uint64_t count = 0;
    std::vector<std::string> command;
    UploadFlags upload;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = collect.add_subcommand("perf", "Sample a process with perf record and upload pprof profiles");
  auto* pid = cmd->add_option("--pid", args->pid, "Process to sample");
  auto* command = cmd->add_option("command", args->command, "Command to start and sample (after --)");
  pid->excludes(command);
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--frequency", args->frequency, "Samples per second (default 99)");
  cmd->add_option("--duration", args->duration, "Length of each recording (default 30s)");
  cmd->add_option("--interval", args->interval, "Time between recording starts (default 5m)");
  cmd->add_option("--count", args->count, "Stop after this many profiles (default: until stopped or the target exits)");
  add_upload_flags(*cmd, args->upload);
  cmd->callback([&cli, args, pid] {
    cli.action = [&cli, args, pid]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      collector::PerfSettings s;
      PGO_TRY_ASSIGN(s.app, cli.require_app(config));
      if (pid->count() > 0) s.pid = args->pid;
      s.command = args->command;
      if (!s.pid && s.command.empty()) return make_error(ErrorCode::Usage, "give --pid PID or -- CMD ARGS...");
      if (args->frequency == 0) return make_error(ErrorCode::Usage, "--frequency must be positive");
      s.frequency = args->frequency;
      PGO_TRY_ASSIGN(s.duration, parse_duration(args->duration));
      if (s.duration <= Duration{0}) return make_error(ErrorCode::Usage, "--duration must be positive");
      PGO_TRY_ASSIGN(s.interval, parse_duration(args->interval));
      if (s.interval <= Duration{0}) return make_error(ErrorCode::Usage, "--interval must be positive");
      if (args->count > 0) s.count = args->count;
      PGO_TRY_ASSIGN(s.labels, parse_labels(args->upload.labels));
      PGO_TRY(collector::check_perf_available());
      collector::Uploader uploader = make_uploader(config, s.app, args->upload);
      StopSignals signals;
      const std::atomic<bool>& stop = StopSignals::stop_requested();
      PGO_TRY_ASSIGN(auto stats, collector::run_perf_sampler(s, uploader, stop));
      spdlog::info("perf sampler stopped: {} profile(s) from {} recording(s){}", stats.delivered,
                   stats.recordings, stop ? " (signal)" : "");
      if (!stop && stats.delivered == 0) {
        return make_error(ErrorCode::Input, "no profile recorded in {} recording(s)", stats.recordings);
      }
      return success();
    };
  });
}

// The sidecar of the in-process collector: uploads what it spooled, oldest first.
void register_collect_spool(CLI::App& collect, Cli& cli) {
  struct Args {
    std::string dir, interval = "10s";
    bool once = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = collect.add_subcommand(
      "spool", "Upload the profiles an instrumented service spooled (pgopipe::collector)");
  cmd->add_option("--dir", args->dir, "The service's PGOPIPE_SPOOL_DIR")->required();
  cmd->add_option("--interval", args->interval, "Time between passes over the spool (default 10s)");
  cmd->add_flag("--once", args->once, "One pass, then exit (exit 5 if profiles still wait)");
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      PGO_TRY_ASSIGN(Config config, cli.config());
      if (config.store.value.empty()) return make_error(ErrorCode::Usage, "no store: give --store URL");
      PGO_TRY_ASSIGN(Duration interval, parse_duration(args->interval));
      if (interval <= Duration{0}) return make_error(ErrorCode::Usage, "--interval must be positive");
      collector::Uploader uploader(config.store.value, config.store_options(), args->dir,
                                   /*spool_max_bytes=*/0, log_line);
      StopSignals signals;
      const std::atomic<bool>& stop = StopSignals::stop_requested();
      uint64_t waiting = uploader.drain();
      while (!args->once && !stop) {
        for (auto until = std::chrono::steady_clock::now() + interval;
             !stop && std::chrono::steady_clock::now() < until;) {
          std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        waiting = uploader.drain();
      }
      if (waiting > 0) {
        return make_error(ErrorCode::Store, "{} profile(s) still wait in {} for {}", waiting,
                          args->dir, config.store.value);
      }
      return success();
    };
  });
}

}  // namespace

void register_collect(CLI::App& app, Cli& cli) {
  auto* collect = app.add_subcommand("collect", "Collect profiles from running services");
  collect->require_subcommand(1);
  register_collect_http(*collect, cli);
  register_collect_perf(*collect, cli);
  register_collect_spool(*collect, cli);
}

}  // namespace pgopipe::cli
