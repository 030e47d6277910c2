// SPDX-License-Identifier: Apache-2.0
// Independent per-function sample totals for the converter tests: counted from `perf script`
// lines, and read from a sample profile in LLVM's text format (function header lines).
#pragma once

#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace pgopipe::convert_test {

// `perf script -F ip,sym,dso` output (callchains, leaf first, blank lines between samples):
// per sample, its first user-space frame (kernel frames skipped) counts for that frame's
// symbol when it lies in the object `dso`.
inline std::map<std::string, long> perf_script_totals(const std::string& script, const std::string& dso) {
  std::map<std::string, long> totals;
  static const std::regex frame_re(R"(^\s*[0-9a-f]+ (\S+) \((.*)\)$)");
  std::istringstream in(script);
  std::smatch m;
  bool counted = false;  // the current sample's user frame was seen
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t") == std::string::npos) {
      counted = false;
      continue;
    }
    if (counted || !std::regex_match(line, m, frame_re)) continue;
    // Kernel frames by address, as the converter tells them: where kernel symbols are hidden
    // (a container, kptr_restrict) perf names them "[unknown] ([unknown])", not [kernel...].
    uint64_t ip = std::stoull(line.substr(line.find_first_not_of(" \t")), nullptr, 16);
    if (ip >= 0xffff800000000000ULL || m[2].str().starts_with("[kernel")) continue;
    counted = true;
    // The C runtime's start-up stubs carry no line table, so no sample profile can name them.
    static const std::set<std::string> crt = {"_init", "_start", "_fini", "deregister_tm_clones",
                                              "register_tm_clones", "__do_global_dtors_aux", "frame_dummy"};
    if (m[2].str() == dso && m[1].str() != "[unknown]" && !crt.contains(m[1].str())) ++totals[m[1].str()];
  }
  return totals;
}

// Top-level "name:total:head" lines of a text sample profile: total samples per function
// (functions with none left out).
inline std::map<std::string, long> sample_profile_totals(const std::string& text) {
  std::map<std::string, long> totals;
  static const std::regex head_re(R"(^([^ :][^:]*):([0-9]+):([0-9]+)$)");
  std::istringstream in(text);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, head_re) && std::stol(m[2].str()) > 0) {
      totals[m[1].str()] += std::stol(m[2].str());
    }
  }
  return totals;
}

}  // namespace pgopipe::convert_test
