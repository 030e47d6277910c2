// SPDX-License-Identifier: Apache-2.0
// pgopipe push FILE... --app A [--collected-at T] [--duration D] [--build-id ID] [--label k=v]...
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "core/fs.hpp"
#include "core/store/transfer.hpp"

namespace pgopipe::cli {

void register_push(CLI::App& app, Cli& cli) {
  struct Args {
    std::vector<std::string> files;
    std::string app, collected_at, duration, build_id, host;
    std::vector<std::string> labels;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("push", "Upload profile files to the store");
  cmd->add_option("files", args->files, "Profile files")->required();
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--collected-at", args->collected_at,
                  "When the profile was collected (RFC 3339, unix seconds, or relative); "
                  "default: now");
  cmd->add_option("--duration", args->duration, "Length of the collection interval (e.g. 60s)");
  cmd->add_option("--build-id", args->build_id, "GNU build ID of the profiled binary (hex)")
      ->type_name("HEX")
      ->check(hex_build_id());
  cmd->add_option("--host", args->host, "Host the profile came from (default: this host)");
  cmd->add_option("--label", args->labels, "Label k=v, repeatable");
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(std::string app_name, cli.require_app(config));
      ProfileMeta meta;
      meta.app = app_name;
      TimePoint t = now();
      if (args->collected_at.empty()) {
        spdlog::info("no --collected-at given: recording the current time as collection time");
        meta.collected_at = t;
      } else {
        PGO_TRY_ASSIGN(meta.collected_at, parse_time(args->collected_at, t));
      }
      if (!args->duration.empty()) {
        PGO_TRY_ASSIGN(meta.duration, parse_duration(args->duration));
      }
      meta.build_id = args->build_id;
      meta.host = args->host.empty() ? host_name() : args->host;
      PGO_TRY_ASSIGN(meta.labels, parse_labels(args->labels));
      PGO_TRY(validate(meta));
      std::vector<store::PushItem> items;
      for (const auto& f : args->files) items.push_back({f, meta});
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config, /*create=*/true));
      PGO_TRY_ASSIGN(auto pushed, store::push_files(*store, items, config.concurrency.value));
      nlohmann::json out = nlohmann::json::array();
      for (const auto& p : pushed) {
        if (cli.json()) {
          out.push_back({{"file", p.file.string()}, {"key", p.key}, {"meta", to_json(p.meta)}});
        } else {
          fmt::print("{}\t{}\n", p.file.string(), p.key);
        }
      }
      if (cli.json()) fmt::print("{}\n", out.dump(2));
      spdlog::info("pushed {} profile(s) to {}", pushed.size(), store->describe());
      return success();
    };
  });
}

}  // namespace pgopipe::cli
