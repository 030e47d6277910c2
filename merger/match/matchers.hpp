// SPDX-License-Identifier: Apache-2.0
// The per-kind matchers behind match_profile and the tally they share.
#pragma once

#include <string>
#include <string_view>

#include "merger/match/profile_match.hpp"

namespace pgopipe::match {

// Instrumented profile vs binary (see match_profile).
Result<ProfileMatch> match_instr(std::string_view name, std::string_view bytes, const std::string& binary);

// Sample profile vs binary (see match_profile).
Result<ProfileMatch> match_sample(std::string_view name, std::string_view bytes, const std::string& binary);

// Counts `f` into `m`'s totals; keeps it in `mismatched` unless matched.
void tally(ProfileMatch& m, FunctionMatch f);

// Orders `mismatched` heaviest first (then by name).
void finish(ProfileMatch& m);

}  // namespace pgopipe::match
