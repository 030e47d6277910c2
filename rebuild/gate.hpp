// SPDX-License-Identifier: Apache-2.0
// The rebuild's gate: what the speedup's 95 % interval says about publishing. The PGO build
// is published only when the interval's lower bound is at least 1 - max_slowdown; the
// verdict names what the interval shows: improvement confirmed (lower bound > 1),
// regression (upper bound < 1) or no significant change.
#pragma once

#include <string>
#include <string_view>

namespace pgopipe::rebuild {

enum class GateVerdict { Improvement, NoChange, Regression };

// "improvement confirmed", "no significant change", "regression".
std::string_view verdict_name(GateVerdict verdict);

struct GateDecision {
  GateVerdict verdict = GateVerdict::NoChange;
  bool publish = false;   // lower bound >= 1 - max_slowdown
  bool decided = false;   // more pairs cannot change `publish` (the interval is off the floor)
};

// Decides from the speedup interval [low, high] and the tolerated slowdown (e.g. 0.02).
GateDecision decide_gate(double low, double high, double max_slowdown);

}  // namespace pgopipe::rebuild
