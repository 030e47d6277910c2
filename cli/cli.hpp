// SPDX-License-Identifier: Apache-2.0
// Shared state of one pgopipe invocation: global flags, the resolved config, and the action
// the chosen subcommand will run. Subcommand files only parse arguments and call into the
// libraries; they never exit the process.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/store/store.hpp"
#include "merger/weights.hpp"

namespace pgopipe::cli {

class Cli {
 public:
  // Adds the global flags (--config, --log-level, --json, --store, --s3-*, --concurrency).
  void add_global_flags(CLI::App& app);

  // Records a setting given by a subcommand flag (e.g. "app" from --app); it wins over the
  // config file and the environment, the global flags (--store, --s3-*) over it.
  void set_flag(const std::string& key, const std::string& value) {
    overrides_.push_back({key, value, flag_origin(key)});
  }

  // Records a setting from a file of the command's own (pgo.yaml) with its origin
  // ("pgo.yaml:7"); precedence as for set_flag.
  void override_setting(ConfigOverride setting) { overrides_.push_back(std::move(setting)); }

  // Resolves the config (flag > environment > file > default) and sets up logging.
  Result<Config> config();

  // Opens the configured store; only `create` (push) makes a missing local store.
  Result<std::unique_ptr<store::Store>> open_configured_store(const Config& config, bool create = false);

  // The app from --app/PGOPIPE_APP/config, validated; a Usage error if none is set.
  Result<std::string> require_app(const Config& config);

  [[nodiscard]] bool json() const { return json_; }

  // The command line's arguments (without the program name), as main received them.
  void set_arguments(std::vector<std::string> args) { arguments_ = std::move(args); }

  // The arguments after the first "--": a tool's own (go build's for `build go`).
  [[nodiscard]] std::vector<std::string> tool_arguments() const;

  // The subcommand's action; main() runs it after parsing and maps its error to an exit code.
  std::function<Result<void>()> action;

  // Exit code of a successful action that still needs its own code (rebuild: 10, 11, 12).
  int exit_code = 0;

 private:
  std::optional<std::string> config_file_;
  std::vector<ConfigOverride> overrides_;
  std::string log_level_, store_, s3_endpoint_, s3_region_, s3_path_style_;
  std::optional<int> concurrency_;
  std::vector<std::string> arguments_;
  bool s3_insecure_ = false;
  bool json_ = false;
};

// What CLI11 parses of the command line: all of it, except for `build go`, whose packages
// (positionals) are followed by "--" and go build's arguments. CLI11 hands a "--" that follows
// a filled positional to the parent command, so those are left out here and the command
// takes them from Cli::tool_arguments().
std::vector<std::string> arguments_to_parse(const std::vector<std::string>& args);

// Each subcommand registers itself on the top-level app.
void register_push(CLI::App& app, Cli& cli);
void register_ls(CLI::App& app, Cli& cli);
void register_pull(CLI::App& app, Cli& cli);
void register_gc(CLI::App& app, Cli& cli);
void register_compact(CLI::App& app, Cli& cli);
void register_collect(CLI::App& app, Cli& cli);
void register_build(CLI::App& app, Cli& cli);
void register_merge(CLI::App& app, Cli& cli);
void register_show(CLI::App& app, Cli& cli);
void register_convert(CLI::App& app, Cli& cli);
void register_rebuild(CLI::App& app, Cli& cli);
void register_flamegraph(CLI::App& app, Cli& cli);

// Shared flag groups for commands that select profiles from the store.
struct SelectionFlags {
  std::string app, since, until, kind, build_id;
  std::vector<std::string> labels;
  bool raw = false;  // ignore rollups
};
void add_selection_flags(CLI::App& cmd, SelectionFlags& flags, bool since_required);

// Accepts a GNU build ID: hex digits only (a usage error names the value otherwise).
const CLI::Validator& hex_build_id();
Result<store::Query> make_query(Cli& cli, const Config& config, const SelectionFlags& flags);

// Shared flag group for commands that weight their inputs (merge, convert).
struct WeightFlags {
  std::vector<std::string> weights;  // FILE=N
  std::string weight_file, half_life;
};
void add_weight_flags(CLI::App& cmd, WeightFlags& flags);
// Fills the policy's explicit weights and half-life from the flags (window_end is the caller's).
Result<void> apply_weight_flags(const WeightFlags& flags, merge::WeightPolicy& policy);

}  // namespace pgopipe::cli
