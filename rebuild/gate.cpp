// SPDX-License-Identifier: Apache-2.0
#include "rebuild/gate.hpp"

namespace pgopipe::rebuild {

std::string_view verdict_name(GateVerdict verdict) {
  switch (verdict) {
    case GateVerdict::Improvement: return "improvement confirmed";
    case GateVerdict::Regression: return "regression";
    case GateVerdict::NoChange: break;
  }
  return "no significant change";
}

GateDecision decide_gate(double low, double high, double max_slowdown) {
  const double floor = 1.0 - max_slowdown;
  GateDecision d;
  d.verdict = low > 1.0 ? GateVerdict::Improvement
              : high < 1.0 ? GateVerdict::Regression
                           : GateVerdict::NoChange;
  d.publish = low >= floor;
  // Either the whole interval clears the floor (publish) or lies below it (do not).
  d.decided = low >= floor || high < floor;
  return d;
}

}  // namespace pgopipe::rebuild
