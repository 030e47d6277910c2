// SPDX-License-Identifier: Apache-2.0
// pgopipe show FILE [--top N] [--against BINARY] [--json]
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "core/fs.hpp"
#include "core/terminal.hpp"
#include "merger/engine.hpp"
#include "merger/match/profile_match.hpp"
#include "merger/provenance.hpp"
#include "report/text.hpp"

namespace pgopipe::cli {

namespace {

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 100.0;
}

nlohmann::json against_json(const std::string& binary, const match::ProfileMatch& m) {
  nlohmann::json mismatched = nlohmann::json::array();
  for (const auto& f : m.mismatched) {
    mismatched.push_back(
        {{"name", f.name}, {"count", f.count}, {"state", std::string(to_string(f.state))}, {"detail", f.detail}});
  }
  return {{"binary", binary},          {"method", m.method},   {"functions", m.functions},
          {"matched", m.matched},      {"changed", m.changed}, {"missing", m.missing},
          {"total", m.total},          {"matched_total", m.matched_total},
          {"matched_share", percent(m.matched_total, m.total) / 100.0},
          {"mismatched", mismatched}};
}

void print_against(const std::string& binary, const match::ProfileMatch& m, size_t top) {
  fmt::print("against:    {} ({})\n", terminal_safe(binary), m.method);
  fmt::print("matches:    {} of {} functions, {:.1f} % of the profile's weight; {} changed, {} not in the binary\n",
             m.matched, m.functions, percent(m.matched_total, m.total), m.changed, m.missing);
  if (m.mismatched.empty()) return;
  fmt::print("not matched (heaviest first):\n");
  for (size_t i = 0; i < m.mismatched.size() && i < top; ++i) {
    const auto& f = m.mismatched[i];
    fmt::print("  {:>14}  {:<8} {}  [{}]\n", f.count, to_string(f.state),
               terminal_safe(report::display_name(f.name)), terminal_safe(f.detail));
  }
  if (m.mismatched.size() > top) fmt::print("  ... {} more (--top)\n", m.mismatched.size() - top);
}

}  // namespace

void register_show(CLI::App& app, Cli& cli) {
  struct Args {
    std::string file;
    size_t top = 10;
    std::string against;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("show", "Describe a profile: format, kind, totals, hottest functions");
  cmd->add_option("file", a->file, "Profile file")->required();
  cmd->add_option("--top", a->top, "How many hot functions to list (default 10)");
  cmd->add_option("--against", a->against,
                  "Also state how much of the profile matches this binary (an instrumented build of the "
                  "new source for instrumented profiles, a -g build for sample profiles)");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> Result<void> {
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(std::string bytes, read_file(a->file));
      PGO_TRY_ASSIGN(merge::ProfileSummary s, merge::summarize_profile(a->file, bytes, a->top, config.limits.value));
      auto prov = merge::read_provenance(a->file);
      std::optional<match::ProfileMatch> against;
      if (!a->against.empty()) {
        PGO_TRY_ASSIGN(against, match::match_profile(a->file, bytes, a->against));
      }
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
        if (against) out["against"] = against_json(a->against, *against);
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
      if (against) print_against(a->against, *against, a->top);
      return success();
    };
  });
}

}  // namespace pgopipe::cli
