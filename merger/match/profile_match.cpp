// SPDX-License-Identifier: Apache-2.0
#include "merger/match/profile_match.hpp"

#include <algorithm>
#include <span>

#include "core/formats/format.hpp"
#include "merger/match/matchers.hpp"

namespace pgopipe::match {

Result<ProfileMatch> match_profile(std::string_view name, std::string_view bytes, const std::string& binary) {
  auto data = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  switch (family_of(detect_format(data))) {
    case ProfileFamily::Instr: return match_instr(name, bytes, binary);
    case ProfileFamily::Sample: return match_sample(name, bytes, binary);
    case ProfileFamily::Pprof:
    case ProfileFamily::Perf:
      return make_error(ErrorCode::Usage,
                        "{}: --against matches LLVM profiles; CPU samples are matched to binaries by build ID "
                        "(pgopipe convert --binary)",
                        name);
    case ProfileFamily::Unknown: break;
  }
  return make_error(ErrorCode::Input, "{}: not a profile pgopipe can read", name);
}

void tally(ProfileMatch& m, FunctionMatch f) {
  ++m.functions;
  m.total += f.count;
  switch (f.state) {
    case FunctionState::Matched:
      ++m.matched;
      m.matched_total += f.count;
      return;
    case FunctionState::Changed: ++m.changed; break;
    case FunctionState::Missing: ++m.missing; break;
  }
  m.mismatched.push_back(std::move(f));
}

void finish(ProfileMatch& m) {
  std::sort(m.mismatched.begin(), m.mismatched.end(), [](const FunctionMatch& a, const FunctionMatch& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  });
}

std::string_view to_string(FunctionState state) {
  switch (state) {
    case FunctionState::Matched: return "matched";
    case FunctionState::Changed: return "changed";
    case FunctionState::Missing: return "missing";
  }
  return "?";
}

}  // namespace pgopipe::match
