// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_output.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/fs.hpp"

namespace pgopipe {

namespace fs = std::filesystem;

std::string_view outcome_name(RebuildOutcome outcome) {
  switch (outcome) {
    case RebuildOutcome::Published: return "published";
    case RebuildOutcome::Unchanged: return "unchanged";
    case RebuildOutcome::Gated: return "gated";
    case RebuildOutcome::Busy: return "busy";
    case RebuildOutcome::Failed: return "failed";
  }
  return "failed";
}

Result<void> write_flamegraph(RunReport&, const fs::path&) { return success(); }

Result<std::vector<fs::path>> write_run_reports(const fs::path& dir, const RunReport& r) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", dir.string(), ec.message());
  nlohmann::json j{{"app", r.app},
                   {"outcome", std::string(outcome_name(r.outcome))},
                   {"message", r.message},
                   {"profiles_merged", r.profiles_merged},
                   {"profile_sha256", r.profile_sha256},
                   {"published_key", r.published_key}};
  if (r.benchmark) {
    j["speedup"] = r.benchmark->speedup;
    j["speedup_low"] = r.benchmark->speedup_low;
    j["speedup_high"] = r.benchmark->speedup_high;
  }
  fs::path out = dir / "report.json";
  PGO_TRY(write_file_atomic(out, j.dump(2) + "\n"));
  return std::vector<fs::path>{out};
}

}  // namespace pgopipe
