// SPDX-License-Identifier: Apache-2.0
// pgopipe ls --app A --since 24h [--until T] [--kind K] [--build-id ID] [--label k=v] [--json]
//            [--check]
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include "core/store/rollup_listing.hpp"
#include "core/terminal.hpp"

namespace pgopipe::cli {
namespace {

// `ls --check`: one line per damaged object (key, problem); an Integrity error when any.
Result<void> report_damaged(Cli& cli, const store::Store& store, size_t healthy,
                            const std::vector<store::DamagedObject>& damaged) {
  if (cli.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : damaged) out.push_back({{"key", d.key}, {"problem", d.problem}});
    fmt::print("{}\n", out.dump(2));
  } else {
    for (const auto& d : damaged) fmt::print("{}  {}\n", terminal_safe(d.key), terminal_safe(d.problem));
  }
  if (damaged.empty()) {
    spdlog::info("no damaged objects ({} profile(s) checked)", healthy);
    return success();
  }
  return make_error(ErrorCode::Integrity, "{} damaged object(s) in {} ({} healthy); remove them from "
                    "the store", damaged.size(), store.describe(), healthy);
}

// One row per object. On a terminal: a header and columns as wide as their widest cell; piped:
// the fixed layout scripts read. Metadata comes from the store (any uploader): escaped so it
// cannot drive the terminal.
void print_listing(const std::vector<store::StoredObject>& objects, bool terminal) {
  std::vector<std::array<std::string, 7>> rows;
  if (terminal && !objects.empty()) rows.push_back({"COLLECTED", "FORMAT", "SIZE", "BUILD ID", "HOST", "LABELS", "KEY"});
  for (const auto& o : objects) {
    std::string labels;
    for (const auto& [k, v] : o.meta.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
    rows.push_back({format_rfc3339(o.meta.collected_at), std::string(to_string(o.meta.format)),
                    std::to_string(o.meta.size),
                    o.meta.build_id.empty() ? "-" : terminal_safe(o.meta.build_id.substr(0, 12)),
                    o.profiles > 1 ? fmt::format("rollup of {}", o.profiles) : terminal_safe(o.meta.host), labels.empty() ? "-" : terminal_safe(labels), terminal_safe(o.key)});
  }
  if (!terminal) {
    for (const auto& r : rows) {
      fmt::print("{}  {:<16} {:>10}  {:<12} {:<16} {}  {}\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    }
    return;
  }
  std::array<size_t, 7> width{};
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      bool last = i + 1 == r.size();
      line += i == 2 ? fmt::format("{:>{}}", r[i], width[i]) : last ? r[i] : fmt::format("{:<{}}", r[i], width[i]);
      if (!last) line += "  ";
    }
    fmt::print("{}\n", line);
  }
}

}  // namespace

void register_ls(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<SelectionFlags>();
  auto check = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("ls", "List the profiles of a time window");
  add_selection_flags(*cmd, *flags, /*since_required=*/true);
  cmd->add_flag("--check", *check,
                "List the damaged objects of the window instead (malformed metadata, bad keys); "
                "exit 6 when there are any");
  cmd->callback([&cli, flags, check] {
    cli.action = [&cli, flags, check]() -> Result<void> {
      if (!flags->app.empty()) cli.set_flag("app", flags->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(store::Query q, make_query(cli, config, *flags));
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
      std::vector<store::DamagedObject> damaged;
      PGO_TRY_ASSIGN(auto objects, store::list_profiles(*store, q, &damaged));
      if (*check) return report_damaged(cli, *store, objects.size(), damaged);
      if (cli.json()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& o : objects) out.push_back({{"key", o.key}, {"meta", to_json(o.meta)}, {"profiles", o.profiles}});
        fmt::print("{}\n", out.dump(2));
        return success();
      }
      print_listing(objects, ::isatty(STDOUT_FILENO) != 0);
      spdlog::info("{} profile(s) of {} in [{}, {})", objects.size(), q.app,
                   format_rfc3339(q.window.since), format_rfc3339(q.window.until));
      if (!damaged.empty()) {
        spdlog::warn("{} damaged object(s) skipped (list them with pgopipe ls --check)", damaged.size());
      }
      return success();
    };
  });
}

}  // namespace pgopipe::cli
