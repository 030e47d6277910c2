// SPDX-License-Identifier: Apache-2.0
// pgopipe push FILE... --app A [--collected-at T] [--duration D] [--build-id ID] [--label k=v]...
//   [--allow-unknown] [--allow-duplicate]
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

#include <spdlog/spdlog.h>
#include <map>

#include "cli/push_check.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/store/transfer.hpp"

namespace pgopipe::cli {
namespace {

struct Args {
  std::vector<std::string> files;
  std::string app, collected_at, duration, build_id, host;
  std::vector<std::string> labels;
  bool allow_unknown = false, allow_duplicate = false;
};

// The metadata every file of this push shares (format, build ID and sha256 come per file).
Result<ProfileMeta> common_meta(Cli& cli, const Config& config, const Args& args) {
  ProfileMeta meta;
  PGO_TRY_ASSIGN(meta.app, cli.require_app(config));
  TimePoint t = now();
  if (args.collected_at.empty()) {
    spdlog::info("no --collected-at given: recording the current time as collection time");
    meta.collected_at = t;
  } else {
    PGO_TRY_ASSIGN(meta.collected_at, parse_time(args.collected_at, t));
  }
  if (!args.duration.empty()) {
    PGO_TRY_ASSIGN(meta.duration, parse_duration(args.duration));
  }
  meta.build_id = args.build_id;
  meta.host = args.host.empty() ? host_name() : args.host;
  PGO_TRY_ASSIGN(meta.labels, parse_labels(args.labels));
  PGO_TRY(validate(meta));
  return meta;
}

// Reads and checks every file before the store is touched: a file that is not a profile stops
// the push (unless --allow-unknown); the build ID comes from the bytes unless --build-id.
Result<std::vector<store::PushItem>> inspect_files(const Config& config, const Args& args,
                                                   const ProfileMeta& common) {
  std::vector<store::PushItem> items;
  for (const auto& f : args.files) {
    if (!std::filesystem::is_regular_file(f)) return make_error(ErrorCode::Input, "{}: no such file", f);
    PGO_TRY_ASSIGN(std::string bytes, read_file(f));
    PGO_TRY_ASSIGN(ProfileFacts facts, inspect_profile(f, bytes, config.limits.value, args.allow_unknown));
    ProfileMeta meta = common;
    meta.format = facts.format;
    if (meta.build_id.empty() && !facts.build_id.empty()) {
      meta.build_id = facts.build_id;
      spdlog::info("{}: build ID {} (from the profile)", f, meta.build_id);
    }
    meta.sha256 = sha256_hex(bytes);
    items.push_back({f, meta});
  }
  return items;
}

// Drops the files whose bytes are already stored in their hour, or came earlier on the line;
// each hour partition is listed once.
Result<std::vector<store::PushItem>> drop_duplicates(store::Store& store, std::vector<store::PushItem> items) {
  std::vector<store::PushItem> kept;
  std::map<TimePoint, std::map<std::string, std::string>> hours;  // hour -> sha256 -> key
  for (auto& item : items) {
    auto hour = std::chrono::floor<std::chrono::hours>(item.meta.collected_at);
    auto known = hours.find(hour);
    if (known == hours.end()) {
      PGO_TRY_ASSIGN(auto digests, hour_digests(store, item.meta));
      known = hours.emplace(hour, std::move(digests)).first;
    }
    auto [at, fresh] = known->second.emplace(item.meta.sha256, item.file.string() + " (earlier in this push)");
    if (fresh) {
      kept.push_back(std::move(item));
    } else {
      spdlog::warn("{}: skipped, the same bytes are already stored as {} (--allow-duplicate stores "
                   "them again)", item.file.string(), at->second);
    }
  }
  return kept;
}

}  // namespace

void register_push(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("push", "Upload profile files to the store");
  cmd->add_option("files", args->files, "Profile files")->required();
  cmd->add_option("--app", args->app, "Application name");
  cmd->add_option("--collected-at", args->collected_at,
                  "When the profile was collected (RFC 3339, unix seconds, or relative); "
                  "default: now");
  cmd->add_option("--duration", args->duration, "Length of the collection interval (e.g. 60s)");
  cmd->add_option("--build-id", args->build_id,
                  "GNU build ID of the profiled binary (default: the one the profile names)")
      ->type_name("HEX")
      ->check(hex_build_id());
  cmd->add_option("--host", args->host, "Host the profile came from (default: this host)");
  cmd->add_option("--label", args->labels, "Label k=v, repeatable");
  cmd->add_flag("--allow-unknown", args->allow_unknown, "Store files that are not a known profile format");
  cmd->add_flag("--allow-duplicate", args->allow_duplicate,
                "Store bytes already stored in the same hour of the app");
  cmd->callback([&cli, args] {
    cli.action = [&cli, args]() -> Result<void> {
      if (!args->app.empty()) cli.set_flag("app", args->app);
      PGO_TRY_ASSIGN(Config config, cli.config());
      PGO_TRY_ASSIGN(ProfileMeta common, common_meta(cli, config, *args));
      PGO_TRY_ASSIGN(auto items, inspect_files(config, *args, common));
      PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config, /*create=*/true));
      if (!args->allow_duplicate) {
        PGO_TRY_ASSIGN(items, drop_duplicates(*store, std::move(items)));
      }
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
