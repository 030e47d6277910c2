// SPDX-License-Identifier: Apache-2.0
#include "cli/usage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <memory>

#include "core/terminal.hpp"

namespace pgopipe::cli {
namespace {

const std::map<std::string, std::vector<std::string>>& example_table() {
  static const std::map<std::string, std::vector<std::string>> table{
      {"push", {"pgopipe push cpu.pb.gz --app checkout",
                "pgopipe push run.profraw --app checkout --collected-at 2h --label region=eu",
                "pgopipe --store s3://profiles/prod push cpu.pb.gz --app checkout"}},
      {"ls", {"pgopipe ls --app checkout --since 24h",
              "pgopipe ls --app checkout --since 7d --kind pprof --json",
              "pgopipe ls --app checkout --since 30d --check"}},
      {"pull", {"pgopipe pull --app checkout --since 24h -o profiles/",
                "pgopipe pull --app checkout --since 2026-01-01T00:00:00Z --until 1d -o old/"}},
      {"compact", {"pgopipe compact --app checkout",
                   "pgopipe compact --app checkout --since 30d",
                   "pgopipe merge --app checkout --since 7d -o week.pb.gz   # reads the rollups"}},
      {"gc", {"pgopipe gc --app checkout --older-than 30d --dry-run",
              "pgopipe gc --app checkout --older-than 30d"}},
      {"collect", {"pgopipe collect http --url http://localhost:6060/debug/pprof/profile?seconds=30 --app api",
                   "pgopipe collect perf --pid 1234 --app api --count 1"}},
      {"collect http", {"pgopipe collect http --url http://localhost:6060/debug/pprof/profile?seconds=30 --app api",
                        "pgopipe collect http --url http://api:6060/debug/pprof/profile --app api --count 1"}},
      {"collect perf", {"pgopipe collect perf --pid 1234 --app api --duration 30s --count 1",
                        "pgopipe collect perf --app api --count 1 -- ./server --port 8080"}},
      {"collect spool", {"pgopipe collect spool --dir /var/spool/pgopipe --once",
                         "pgopipe collect spool --dir /var/spool/pgopipe --interval 30s"}},
      {"merge", {"pgopipe merge a.profraw b.profraw -o merged.profdata",
                 "pgopipe merge --app checkout --since 24h -o checkout.pb.gz",
                 "pgopipe merge --app checkout --since 7d --half-life 1d --kind sample -o checkout.afdo"}},
      {"show", {"pgopipe show merged.profdata", "pgopipe show cpu.pb.gz --top 20 --json",
                "pgopipe show prod.afdo --against build/app"}},
      {"build", {"pgopipe build cmake -S . -B build --profile merged.profdata",
                 "pgopipe build docker --context . -t app:pgo --profile merged.profdata"}},
      {"build cmake", {"pgopipe build cmake -S . -B build --profile merged.profdata",
                       "pgopipe build cmake -S . -B build-gen --pgo generate -- -DCMAKE_BUILD_TYPE=Release"}},
      {"build go", {"pgopipe build go -C . --profile merged.pb.gz -o bin/server ./cmd/server",
                    "pgopipe build go -C . --profile merged.pb.gz --write-default-pgo ./cmd/server"}},
      {"build docker", {"pgopipe build docker --context . -t app:pgo --profile merged.profdata",
                        "pgopipe build docker --context . -f deploy/Dockerfile -t app:plain"}},
      {"convert", {"pgopipe convert perf.data --binary ./server -o server.afdo",
                   "pgopipe convert cpu.pb.gz --binary-dir /srv/binaries --text -o server.prof",
                   "pgopipe convert a.pb.gz b.pb.gz --line-counts max --half-life 6h -o server.afdo"}},
      {"rebuild", {"pgopipe rebuild --config pgo.yaml", "pgopipe rebuild --config pgo.yaml --wait 30m",
                   "pgopipe rebuild --config pgo.yaml --unlock --yes"}},
      {"flamegraph", {"pgopipe flamegraph cpu.pb.gz -o cpu.svg",
                      "pgopipe flamegraph merged.profdata -o hot.svg --title 'checkout, last 24h'"}},
      {"help", {"pgopipe help", "pgopipe help ls", "pgopipe help build cmake"}},
      {"completion", {"pgopipe completion bash > /etc/bash_completion.d/pgopipe",
                      "source <(pgopipe completion zsh)",
                      "pgopipe completion fish > ~/.config/fish/completions/pgopipe.fish"}},
      {"man", {"pgopipe man > pgopipe.1 && man ./pgopipe.1"}},
  };
  return table;
}

std::string command_path(const CLI::App& app) {
  std::string path;
  for (const CLI::App* a = &app; a->get_parent() != nullptr; a = a->get_parent()) {
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  }
  return path;
}

constexpr const char* kGlobals =
    "Global options (before or after the command; `pgopipe --help` describes them):\n"
    "  --store URL  --json  --log-level LEVEL  --config FILE  --concurrency N\n"
    "  --s3-endpoint URL  --s3-region R  --s3-path-style B  --s3-insecure-skip-tls-verify";

void set_footers(CLI::App& app) {
  for (CLI::App* cmd : commands_of(app)) {
    std::string footer;
    auto examples = examples_of(command_path(*cmd));
    if (!examples.empty()) {
      footer = "Examples:\n";
      for (const auto& e : examples) footer += "  " + e + "\n";
      footer += "\n";
    }
    cmd->footer(footer + kGlobals);
    set_footers(*cmd);
  }
}

// Where an unknown word was met: the deepest command given on the line.
CLI::App* deepest_command(CLI::App& app) {
  CLI::App* at = &app;
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) at = subs.front();
  return at;
}

std::vector<std::string> flag_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::string name_of(const CLI::App& cmd) {
  std::string path = command_path(cmd);
  return path.empty() ? "pgopipe" : "pgopipe " + path;
}

// The message for the first word no command knows; "" when every word was known.
std::string unknown_word_message(CLI::App& app) {
  auto extras = app.remaining(true);
  if (extras.empty()) return {};
  CLI::App* at = deepest_command(app);
  const std::string word = terminal_safe(extras.front());
  if (word.rfind('-', 0) == 0 && word.size() > 1) {
    std::string flag = word.substr(0, word.find('='));
    std::string hint = closest(flag, flag_names(*at));
    return fmt::format("unknown option '{}' for '{}'{}", flag, name_of(*at),
                       hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
  }
  std::vector<std::string> names;
  for (const CLI::App* c : commands_of(*at)) names.push_back(c->get_name());
  if (!names.empty()) {
    std::string hint = closest(word, names);
    return fmt::format("unknown command '{}' for '{}'{}", word, name_of(*at),
                       hint.empty() ? fmt::format(" (commands: {})", fmt::join(names, ", "))
                                    : fmt::format("; did you mean '{}'?", hint));
  }
  return fmt::format("unexpected argument '{}' for '{}'", word, name_of(*at));
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<const CLI::App*> commands_of(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* c) { return !c->get_name().empty() && !c->get_disabled(); });
}

std::vector<CLI::App*> commands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App* c) { return !c->get_name().empty() && !c->get_disabled(); });
}

std::vector<std::string> examples_of(const std::string& path) {
  auto it = example_table().find(path);
  return it == example_table().end() ? std::vector<std::string>{} : it->second;
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  return best;
}

CLI::Option* choices(CLI::Option* option, const std::vector<std::string>& names) {
  std::string joined = fmt::format("{}", fmt::join(names, "|"));
  std::string listed = names.size() == 1 ? names[0]
                                         : fmt::format("{} or {}", fmt::join(names.begin(), names.end() - 1, ", "),
                                                       names.back());
  CLI::Validator validator(
      [names, listed](std::string& value) -> std::string {
        if (std::find(names.begin(), names.end(), value) != names.end()) return {};
        std::string hint = closest(value, names);
        return fmt::format("'{}' is not one of {}{}", value, listed,
                           hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
      },
      "");
  return option->type_name(joined)->check(validator);
}

CLI::Option* in_range(CLI::Option* option, long long low, long long high) {
  CLI::Validator validator(
      [low, high](std::string& value) -> std::string {
        long long n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc() && end == value.data() + value.size() && n >= low && n <= high) return {};
        return fmt::format("must be a whole number from {} to {}, not '{}'", low, high, value);
      },
      "");
  return option->type_name(fmt::format("N ({}..{})", low, high))->check(validator);
}

void register_help(CLI::App& app, Cli& cli) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("help", "Show the help of pgopipe or of one of its commands");
  cmd->add_option("command", *words, "Command (and subcommand) to describe");
  cmd->callback([&app, &cli, words] {
    cli.action = [&app, words]() -> Result<void> {
      const CLI::App* at = &app;
      std::string prev = "pgopipe";
      for (const auto& w : *words) {
        const CLI::App* next = nullptr;
        for (const CLI::App* c : commands_of(*at)) {
          if (c->get_name() == w) next = c;
        }
        if (next == nullptr) {
          std::vector<std::string> names;
          for (const CLI::App* c : commands_of(*at)) names.push_back(c->get_name());
          std::string hint = closest(w, names);
          return make_error(ErrorCode::Usage, "no command '{}' in '{}'{}", terminal_safe(w), prev,
                            hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
        }
        if (at != &app) prev += " " + at->get_name();
        at = next;
      }
      fmt::print("{}", at == &app ? app.get_formatter()->make_help(&app, "pgopipe", CLI::AppFormatMode::Normal)
                                  : at->get_formatter()->make_help(at, prev + " " + at->get_name(),
                                                                   CLI::AppFormatMode::Normal));
      return success();
    };
  });
}

void finish_help(CLI::App& app) {
  app.footer("Run 'pgopipe help COMMAND' (or 'pgopipe COMMAND --help') for a command's options and examples.");
  set_footers(app);
}

int report_parse_error(CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
  std::string unknown = unknown_word_message(app);
  CLI::App* at = deepest_command(app);
  std::string message = unknown.empty() ? error.what() : unknown;
  if (unknown.empty() && at == &app && app.get_subcommands().empty()) {
    message = "a command is required";
  }
  std::cerr << "error: " << message << "\n"
            << "Run '" << (at == &app ? std::string("pgopipe help") : "pgopipe help " + command_path(*at))
            << "' for usage.\n";
  return static_cast<int>(ErrorCode::Usage);
}

}  // namespace pgopipe::cli
