// SPDX-License-Identifier: Apache-2.0
#include "cli/cli.hpp"
#include "cli/usage.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/log.hpp"
#include "core/names.hpp"

namespace pgopipe::cli {

void Cli::add_global_flags(CLI::App& app) {
  app.add_option("--config", config_file_, "Config file (default: $PGOPIPE_CONFIG or ./pgopipe.yaml)")
      ->type_name("FILE");
  app.add_option("--log-level", log_level_, "Log detail on stderr (default info); errors are always shown")
      ->type_name("trace|debug|info|warn|error|off");
  app.add_flag("--json", json_, "Print data as JSON on stdout");
  app.add_option("--store", store_, "Store URL: a path, file:///path or s3://bucket/prefix")
      ->type_name("URL");
  app.add_option("--s3-endpoint", s3_endpoint_, "S3 endpoint URL (default: AWS, or $AWS_ENDPOINT_URL)")
      ->type_name("URL");
  app.add_option("--s3-region", s3_region_, "S3 region (default us-east-1)")->type_name("REGION");
  app.add_option("--s3-path-style", s3_path_style_, "Path-style S3 addressing")->type_name("true|false");
  app.add_flag("--s3-insecure-skip-tls-verify", s3_insecure_,
               "Do not verify the S3 server's TLS certificate (unsafe)");
  app.add_option("--concurrency", concurrency_, "Parallel transfers (default 4)")->type_name("N");
}

std::vector<std::string> Cli::tool_arguments() const {
  auto dash = std::find(arguments_.begin(), arguments_.end(), "--");
  return dash == arguments_.end() ? std::vector<std::string>{} : std::vector<std::string>(dash + 1, arguments_.end());
}

std::vector<std::string> arguments_to_parse(const std::vector<std::string>& args) {
  auto dash = std::find(args.begin(), args.end(), "--");
  auto build = std::find(args.begin(), dash, "build");
  if (dash == args.end() || build == dash || build + 1 == dash || *(build + 1) != "go") return args;
  return {args.begin(), dash};
}

Result<Config> Cli::config() {
  ConfigSources sources;
  if (config_file_) sources.file = *config_file_;
  sources.env = process_environment();
  sources.overrides = overrides_;  // subcommand flags and pgo.yaml; the global flags win
  auto global = [&sources](const std::string& key, const std::string& value) {
    sources.overrides.push_back({key, value, flag_origin(key)});
  };
  if (!log_level_.empty()) global("log_level", log_level_);
  if (!store_.empty()) global("store", store_);
  if (!s3_endpoint_.empty()) global("s3.endpoint", s3_endpoint_);
  if (!s3_region_.empty()) global("s3.region", s3_region_);
  if (!s3_path_style_.empty()) global("s3.path_style", s3_path_style_);
  if (s3_insecure_) global("s3.tls_verify", "false");
  if (concurrency_) global("concurrency", std::to_string(*concurrency_));
  PGO_TRY_ASSIGN(Config config, load_config(sources));
  PGO_TRY(init_logging(config.log_level.value));
  if (!config.s3_tls_verify.value) {
    spdlog::warn("TLS certificate verification for S3 is OFF ({})", config.s3_tls_verify.origin);
  }
  return config;
}

Result<std::unique_ptr<store::Store>> Cli::open_configured_store(const Config& config, bool create) {
  store::StoreOptions options = config.store_options();
  options.create = create;
  options.on_create = [](const std::filesystem::path& root) {
    spdlog::info("created the local store {}", root.string());
  };
  auto store = store::open_store(config.store.value, options);
  if (!store) return store.error().context(fmt::format("store from {}", config.store.origin));
  return store;
}

Result<std::string> Cli::require_app(const Config& config) {
  if (config.app.value.empty()) {
    return make_error(ErrorCode::Usage, "no app given: use --app, PGOPIPE_APP or 'app:' in the config");
  }
  auto valid = validate_app(config.app.value);
  if (!valid) return valid.error().context(config.app.origin);
  return config.app.value;
}

const CLI::Validator& hex_build_id() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (!value.empty() && value.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) return {};
        return "a build ID is hex digits (as `pgopipe show` prints it), not '" + value + "'";
      },
      "");
  return validator;
}

void add_selection_flags(CLI::App& cmd, SelectionFlags& f, bool since_required) {
  cmd.add_option("--app", f.app, "Application name");
  auto* since = cmd.add_option("--since", f.since,
                               "Window start: RFC 3339, unix seconds, or relative (24h, 7d)");
  if (since_required) since->required();
  cmd.add_option("--until", f.until, "Window end, exclusive (default: now)");
  choices(cmd.add_option("--kind", f.kind, "Only profiles of this kind"),
          {"pprof", "instr", "sample", "perf", "unknown"});
  cmd.add_option("--build-id", f.build_id, "Only profiles of this build ID (hex)")
      ->type_name("HEX")
      ->check(hex_build_id());
  cmd.add_option("--label", f.labels, "Only profiles with this label (k=v), repeatable");
  cmd.add_flag("--raw", f.raw, "Read the raw uploads only, not the rollups pgopipe compact writes");
}

void add_weight_flags(CLI::App& cmd, WeightFlags& f) {
  cmd.add_option("--weight", f.weights, "Weight of one input: FILE=N (repeatable)");
  cmd.add_option("--weight-file", f.weight_file, "File of 'N FILE' or 'FILE=N' lines");
  cmd.add_option("--half-life", f.half_life, "Time decay: weight 2^(-age/half-life) (e.g. 6h)");
}

Result<void> apply_weight_flags(const WeightFlags& f, merge::WeightPolicy& policy) {
  for (const auto& w : f.weights) PGO_TRY(merge::add_weight_argument(policy, w));
  if (!f.weight_file.empty()) PGO_TRY(merge::add_weight_file(policy, f.weight_file));
  if (!f.half_life.empty()) {
    PGO_TRY_ASSIGN(Duration half_life, parse_duration(f.half_life));
    if (half_life <= Duration{0}) return make_error(ErrorCode::Usage, "--half-life must be positive");
    policy.half_life = half_life;
  }
  return success();
}

Result<store::Query> make_query(Cli& cli, const Config& config, const SelectionFlags& f) {
  store::Query q;
  PGO_TRY_ASSIGN(q.app, cli.require_app(config));
  PGO_TRY_ASSIGN(q.window, parse_window(f.since, f.until, now()));
  if (!f.kind.empty()) {
    PGO_TRY_ASSIGN(q.family, parse_family(f.kind));
  }
  q.build_id = f.build_id;
  PGO_TRY_ASSIGN(q.labels, parse_labels(f.labels));
  q.raw_only = f.raw;
  return q;
}

}  // namespace pgopipe::cli
