// SPDX-License-Identifier: Apache-2.0
// pgopipe merge FILE... -o OUT            (local files)
// pgopipe merge --app A --since 24h -o OUT (a window of the store, streamed)
#include <nlohmann/json.hpp>

#include <thread>

#include "cli/cli.hpp"
#include "cli/usage.hpp"

#include <spdlog/spdlog.h>
#include "core/store/transfer.hpp"
#include "merger/driver.hpp"
#include "merger/window.hpp"

namespace pgopipe::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> files;
  WeightFlags weighting;
  std::string output, format = "auto", output_format, normalize = "duration",
                      failure_mode = "any";
  int jobs = 0;
  SelectionFlags selection;
};

Result<ProfileFormat> parse_output_format(const std::string& text) {
  if (text.empty()) return ProfileFormat::Unknown;
  if (text == "text") return ProfileFormat::SampleText;
  if (text == "binary") return ProfileFormat::SampleBinary;
  if (text == "extbinary") return ProfileFormat::SampleExtBinary;
  if (text == "indexed" || text == "profdata") return ProfileFormat::LlvmIndexed;
  if (text == "gzip") return ProfileFormat::PprofGzip;
  auto f = parse_format(text);
  if (!f) {
    return make_error(ErrorCode::Usage,
                      "--output-format '{}' is not one of text, binary, extbinary (sample), "
                      "indexed (instr), pprof, gzip (pprof)",
                      text);
  }
  return f;
}

Result<void> run(Cli& cli, const MergeArgs& a) {
  bool from_store = !a.selection.since.empty();
  if (from_store && !a.files.empty()) {
    return make_error(ErrorCode::Usage, "give either input files or --since (a store window), not both");
  }
  if (!from_store && a.files.empty()) {
    return make_error(ErrorCode::Usage, "nothing to merge: give input files, or --app and --since");
  }
  if (!a.selection.app.empty()) cli.set_flag("app", a.selection.app);
  PGO_TRY_ASSIGN(Config config, cli.config());

  merge::MergeRequest req;
  req.output = a.output;
  if (a.format != "auto") {
    PGO_TRY_ASSIGN(ProfileFamily family, parse_family(a.format));
    req.family = family;
  }
  PGO_TRY_ASSIGN(req.options.output_format, parse_output_format(a.output_format));
  if (a.normalize != "duration" && a.normalize != "none") {
    return make_error(ErrorCode::Usage, "--normalize '{}' is not one of duration, none", a.normalize);
  }
  req.options.normalize_duration = a.normalize == "duration";
  req.options.limits = config.limits.value;
  PGO_TRY_ASSIGN(req.failure_mode, merge::parse_failure_mode(a.failure_mode));
  req.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  PGO_TRY(apply_weight_flags(a.weighting, req.weights));

  const std::string weighting = fmt::format("half-life {}, normalize {}, {} explicit weight(s)",
                                            a.weighting.half_life.empty() ? "none" : a.weighting.half_life,
                                            a.normalize, req.weights.explicit_weights.size());
  auto warn = [](const std::string& input, const std::string& msg) { spdlog::warn("{}: {}", input, msg); };
  merge::MergedWindow merged;
  if (from_store) {
    PGO_TRY_ASSIGN(store::Query q, make_query(cli, config, a.selection));
    if (req.family && !q.family) q.family = req.family;
    q.day_rollups = !req.weights.half_life;  // decay error: 2^(30 min/half-life) over hour rollups
    PGO_TRY_ASSIGN(auto store, cli.open_configured_store(config));
    PGO_TRY_ASSIGN(auto objects, merge::list_window(*store, q));
    req.progress = store::terminal_progress("merge");  // a bar on a terminal, nothing when piped
    PGO_TRY_ASSIGN(merged, merge::merge_store_window(*store, q, objects, req, weighting, warn));
  } else {
    PGO_TRY_ASSIGN(req.sources, merge::file_sources(a.files));
    req.weights.window_end = now();
    merge::Provenance provenance;
    provenance.weighting = weighting;
    PGO_TRY_ASSIGN(merged, merge::merge_with_provenance(req, provenance, warn));
  }
  const merge::MergeReport& report = merged.report;
  if (ProfileFamily named = family_of_extension(a.output); named != ProfileFamily::Unknown && named != report.family) {
    spdlog::warn("{} holds a {} profile, but its extension is {}'s", a.output, to_string(report.family),
                 to_string(named));
  }

  spdlog::info("merged {} of {} {} input(s) into {}, skipped {}", report.merged, report.merged + report.skipped.size(),
               to_string(report.family), a.output, report.skipped.size());
  if (cli.json()) {
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& [name, why] : report.skipped) skipped.push_back({{"input", name}, {"reason", why}});
    fmt::print("{}\n", nlohmann::json{{"output", a.output},
                                      {"kind", std::string(to_string(report.family))},
                                      {"merged", report.merged},
                                      {"skipped", skipped}}
                           .dump(2));
  }
  return success();
}

}  // namespace

void register_merge(CLI::App& app, Cli& cli) {
  auto a = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand("merge", "Merge profiles (files or a store window) into one profile");
  cmd->add_option("files", a->files, "Input profiles (omit to read a window from the store)");
  cmd->add_option("-o,--output", a->output, "Merged profile to write")->required();
  add_selection_flags(*cmd, a->selection, /*since_required=*/false);
  choices(cmd->add_option("--format", a->format, "Kind to merge (default auto: the inputs' kind)"),
          {"auto", "instr", "sample", "pprof"});
  cmd->add_option("--output-format", a->output_format,
                  "sample: extbinary (default), binary, text; pprof: gzip (default), pprof");
  add_weight_flags(*cmd, a->weighting);
  choices(cmd->add_option("--normalize", a->normalize,
                          "pprof: duration (default; each profile counts as one minute) or none"),
          {"duration", "none"});
  choices(cmd->add_option("--failure-mode", a->failure_mode,
                          "Fail when any input is bad (default), only when all are, or warn"),
          {"any", "all", "warn"});
  in_range(cmd->add_option("-j,--jobs", a->jobs, "Merge workers (default: CPUs available, at least 2)"), 1, 1024);
  cmd->callback([&cli, a] { cli.action = [&cli, a] { return run(cli, *a); }; });
}

}  // namespace pgopipe::cli
