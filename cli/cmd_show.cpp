// SPDX-License-Identifier: Apache-2.0
// pgopipe show FILE [--top N] [--json]
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "core/fs.hpp"
#include "core/terminal.hpp"
#include "merger/engine.hpp"
#include "merger/provenance.hpp"
#include "report/text.hpp"

namespace pgopipe::cli {

void register_show(CLI::App& app, Cli& cli) {
  struct Args {
    std::string file;
    size_t top = 10;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("show", "Describe a profile: format, kind, totals, hottest functions");
  cmd->add_option("file", a->file, "Profile file")->required();
  cmd->add_option("--top", a->top, "How many hot functions to list (default 10)");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> Result<void> {
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(std::string bytes, read_file(a->file));
      PGO_TRY_ASSIGN(merge::ProfileSummary s, merge::summarize_profile(a->file, bytes, a->top, config.limits.value));
      auto prov = merge::read_provenance(a->file);
      if (cli.json()) {
        nlohmann::json hot = nlohmann::json::array();
        for (const auto& h : s.hottest) hot.push_back({{"name", h.name}, {"count", h.count}});
        nlohmann::json out{{"file", a->file},
                           {"format", std::string(to_string(s.format))},
                           {"kind", std::string(to_string(family_of(s.format)))},
                           {"functions", s.functions},
                           {"total", s.total},
                           {"sample_types", s.sample_types},
                           {"build_ids", s.build_ids},
                           {"hottest", hot}};
        if (prov) {
          out["merge"] = {{"store", prov->store}, {"app", prov->app}, {"merged", prov->merged},
                          {"skipped", prov->skipped}, {"weighting", prov->weighting}};
          if (prov->first_collected) out["merge"]["first_collected"] = format_rfc3339(*prov->first_collected);
          if (prov->last_collected) out["merge"]["last_collected"] = format_rfc3339(*prov->last_collected);
        }
        fmt::print("{}\n", out.dump(2));
        return success();
      }
      // Everything below may come from the profile: escaped so it cannot drive the terminal.
      auto safe = [](std::string_view text) { return terminal_safe(text); };
      for (auto* list : {&s.sample_types, &s.build_ids}) {
        for (auto& item : *list) item = safe(item);
      }
      fmt::print("file:       {}\nformat:     {}\nkind:       {}\nfunctions:  {}\ntotal:      {}\n",
                 safe(a->file), to_string(s.format), to_string(family_of(s.format)), s.functions, s.total);
      if (!s.sample_types.empty()) fmt::print("samples:    {}\n", fmt::join(s.sample_types, ", "));
      fmt::print("build ids:  {}\n", s.build_ids.empty() ? "-" : fmt::format("{}", fmt::join(s.build_ids, ", ")));
      if (prov) {
        fmt::print("merged:     {} input(s), {} skipped, from {} app {}\n", prov->merged, prov->skipped,
                   prov->store.empty() ? "files" : safe(prov->store), prov->app.empty() ? "-" : safe(prov->app));
        if (prov->first_collected && prov->last_collected) {
          fmt::print("covers:     {} .. {}\n", format_rfc3339(*prov->first_collected),
                     format_rfc3339(*prov->last_collected));
        }
      }
      fmt::print("hottest:\n");
      // Demangled for people; --json keeps the raw symbol.
      for (const auto& h : s.hottest) fmt::print("  {:>14}  {}\n", h.count, safe(report::display_name(h.name)));
      return success();
    };
  });
}

}  // namespace pgopipe::cli
