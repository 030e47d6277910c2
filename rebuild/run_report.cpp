// SPDX-License-Identifier: Apache-2.0
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

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

}  // namespace pgopipe::rebuild
