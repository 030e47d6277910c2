// SPDX-License-Identifier: Apache-2.0
// Reads `llvm-profdata-19 show --all-functions` output for comparisons in tests.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>

namespace pgopipe::test {

// The output's per-function blocks ("  name:" opens one), up to the summary. Each block's
// lines are kept as a sorted multiset: value targets of equal count print in insertion
// order, which differs between one profile and a merge of several.
inline std::map<std::string, std::multiset<std::string>> show_blocks(const std::string& show) {
  std::map<std::string, std::multiset<std::string>> out;
  std::istringstream in(show);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.starts_with("Instrumentation level")) break;
    if (line.starts_with("  ") && !line.starts_with("   ")) {
      current = line;
      out[current];
    } else if (!current.empty()) {
      out[current].insert(line);
    }
  }
  return out;
}

}  // namespace pgopipe::test
