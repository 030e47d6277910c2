// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_output.hpp"

#include <spdlog/spdlog.h>

#include "report/flamegraph.hpp"
#include "rebuild/report_render.hpp"

namespace pgopipe::rebuild {

namespace fs = std::filesystem;

Result<void> write_flamegraph(RunReport& report, const fs::path& profile, const InputLimits& limits) {
  report::FlameOptions options;
  options.limits = limits;
  options.title = fmt::format("{}: merged profile of the window", report.app);
  auto svg = report::flamegraph_svg_from_file(profile, options);
  if (!svg) {
    spdlog::warn("no flame graph for the report: {}", svg.error().message);
    return success();
  }
  report.flamegraph_svg = std::move(*svg);
  return success();
}

Result<std::vector<fs::path>> write_run_reports(const fs::path& dir, const RunReport& report) {
  PGO_TRY(write_report_files(dir, report));
  std::vector<fs::path> files{dir / kReportHtml, dir / kReportMarkdown, dir / kReportJson};
  if (!report.flamegraph_svg.empty()) files.push_back(dir / kReportFlamegraph);
  return files;
}

}  // namespace pgopipe::rebuild
