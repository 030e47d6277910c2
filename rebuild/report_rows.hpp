// SPDX-License-Identifier: Apache-2.0
// The rows of a run report as people read them, shared by report.md and report.html: the
// sections with their already-formatted cells, so a row added here shows in both. Cells
// hold plain text; each renderer escapes them for its own format.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

enum class CellKind {
  Text,      // prose
  Code,      // an identifier shown as code (a sha256, a store key)
  Number,    // a figure, right-aligned
  Status,    // a stage status: ok, skipped or failed
  Function,  // a symbol as people read it; `title` holds the name as the profile records it
};

struct ReportCell {
  std::string text;             // formatted, not escaped
  CellKind kind = CellKind::Text;
  std::string title;            // Function: the profile's own name of the symbol
  std::optional<double> bar;    // a share 0..1 that HTML also draws as a bar
};

struct ReportSection {
  std::string id;                    // summary, benchmark, match, stages, hot
  std::string title;                 // "Summary"
  std::string headline;              // a line shown large above the table; may be empty
  std::string note;                  // a plain line above the table; may be empty
  std::vector<std::string> columns;  // empty: a key/value table whose first cell names the row
  std::vector<std::vector<ReportCell>> rows;
};

// A fraction as a percentage with one decimal: 0.123 -> "12.3 %" (a narrow no-break space
// before the sign).
std::string format_percent(double fraction);

// The report's sections in reading order; a section without data (no benchmark, no stages)
// is left out, the summary is always there.
std::vector<ReportSection> report_sections(const RunReport& report);

}  // namespace pgopipe::rebuild
