// SPDX-License-Identifier: Apache-2.0
// pgopipe pull --app A --since 24h [--until T] [filters] -o DIR
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "core/terminal.hpp"
#include "core/store/transfer.hpp"

namespace pgopipe::cli {

void register_pull(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<SelectionFlags>();
  auto out_dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("pull", "Download the profiles of a time window into a directory");
  add_selection_flags(*cmd, *flags, /*since_required=*/true);
  cmd->add_option("-o,--output", *out_dir, "Directory to write into")->required();
  cmd->callback([&cli, flags, out_dir] {
    cli.action = [&cli, flags, out_dir]() -> Result<void> {
      if (!flags->app.empty()) cli.set_flag("app", flags->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(store::Query q, make_query(cli, config, *flags));
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      PGO_TRY_ASSIGN(auto pulled, store::pull_window(*store, q, *out_dir, config.concurrency.value,
                                              store::terminal_progress("pull")));
      if (cli.json()) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : pulled.files) files.push_back(f.string());
        fmt::print("{}\n", nlohmann::json{{"files", files},
                                           {"bytes", pulled.bytes},
                                           {"vanished", pulled.vanished},
                                           {"damaged", pulled.damaged.size()}}
                                .dump(2));
      } else {
        for (const auto& f : pulled.files) fmt::print("{}\n", terminal_safe(f.string()));
      }
      if (!pulled.vanished.empty()) {
        spdlog::warn("{} listed profile(s) were removed from the store before they could be "
                     "pulled (e.g. by gc), skipped: {}{}",
                     pulled.vanished.size(), pulled.vanished.front(),
                     pulled.vanished.size() > 1 ? ", ..." : "");
      }
      spdlog::info("pulled {} profile(s), {} bytes, into {}", pulled.files.size(), pulled.bytes,
                   *out_dir);
      if (!pulled.damaged.empty()) {
        spdlog::warn("{} damaged object(s) skipped (list them with pgopipe ls --check)",
                     pulled.damaged.size());
      }
      if (pulled.files.empty()) {
        return make_error(ErrorCode::NotFound, "no profiles of {} in [{}, {}) in {}", q.app,
                          format_rfc3339(q.window.since), format_rfc3339(q.window.until), store->describe());
      }
      return success();
    };
  });
}

}  // namespace pgopipe::cli
