// SPDX-License-Identifier: Apache-2.0
// pgopipe ls --app A --since 24h [--until T] [--kind K] [--build-id ID] [--label k=v] [--json]
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

namespace pgopipe::cli {

void register_ls(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<SelectionFlags>();
  auto* cmd = app.add_subcommand("ls", "List the profiles of a time window");
  add_selection_flags(*cmd, *flags, /*since_required=*/true);
  cmd->callback([&cli, flags] {
    cli.action = [&cli, flags]() -> Result<void> {
      if (!flags->app.empty()) cli.set_flag("app", flags->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(Query q, make_query(cli, config, *flags));
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      PGO_TRY_ASSIGN(auto objects, store->list(q));
      if (cli.json()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& o : objects) out.push_back({{"key", o.key}, {"meta", to_json(o.meta)}});
        fmt::print("{}\n", out.dump(2));
        return success();
      }
      for (const auto& o : objects) {
        std::string labels;
        for (const auto& [k, v] : o.meta.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
        fmt::print("{}  {:<16} {:>10}  {:<12} {:<16} {}  {}\n", format_rfc3339(o.meta.collected_at),
                   to_string(o.meta.format), o.meta.size,
                   o.meta.build_id.empty() ? "-" : o.meta.build_id.substr(0, 12), o.meta.host,
                   labels.empty() ? "-" : labels, o.key);
      }
      spdlog::info("{} profile(s) of {} in [{}, {})", objects.size(), q.app,
                   format_rfc3339(q.window.since), format_rfc3339(q.window.until));
      return success();
    };
  });
}

}  // namespace pgopipe::cli
