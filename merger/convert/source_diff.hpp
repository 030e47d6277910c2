// SPDX-License-Identifier: Apache-2.0
// A unified diff from the source a profile was collected on to the source being built
// (`git diff PROFILED NEW`), as a line map: the profile's lines move to where they are now.
// A removed line whose text comes back among the added lines of the same change block, with
// only whitespace changed (re-indented, moved into a new branch), keeps its samples at its new
// place; other removed or rewritten lines have none (their samples are dropped rather than
// applied to whatever code now sits at their old line offset).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::convert {

class SourceDiff {
 public:
  // Parses `text` (read from `name`): `---`/`+++` file headers and `@@ -a,b +c,d @@` hunks;
  // other lines (git's `diff --git`, `index`, mode lines) are skipped. Input error naming
  // `name` and the line for a malformed or inconsistent hunk.
  static Result<SourceDiff> parse(std::string_view name, std::string_view text);

  // Where line `line` (1-based) of `file` is in the new source: the same line when the diff
  // does not touch the file, nullopt when the diff removed or rewrote it. `file` is matched
  // to the diff's paths by whole trailing path components (DWARF names absolute paths, diffs
  // relative ones); the longest matching diff path wins.
  [[nodiscard]] std::optional<uint32_t> new_line(std::string_view file, uint32_t line) const;

  // Files the diff changes, as named in it (without a/ and b/).
  [[nodiscard]] std::vector<std::string> files() const;

 private:
  struct Hunk {
    uint32_t old_start = 0;               // first old line the hunk covers
    int64_t delta_after = 0;              // new - old line number after the hunk
    std::vector<uint32_t> new_of_old;     // per covered old line: its new line, 0 if gone
  };
  const std::vector<Hunk>* hunks_for(std::string_view file) const;
  std::map<std::string, std::vector<Hunk>, std::less<>> files_;
};

}  // namespace pgopipe::convert
