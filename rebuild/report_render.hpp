// SPDX-License-Identifier: Apache-2.0
// The three renderings of a rebuild run: JSON for machines, Markdown for pull requests and
// chat, and one self-contained HTML file (inline CSS and SVG, no scripts, no external URLs)
// for people. Every string that comes from a profile is escaped for its format.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

// The report as JSON (schema "pgopipe.run-report/1"; times RFC 3339; optional parts null).
// The flame graph is not embedded (see write_report_files).
std::string render_json(const RunReport& report);

// The report as Markdown: summary, benchmark, profile match, stages, hot functions; links
// "flamegraph.svg" when the report has a flame graph.
std::string render_markdown(const RunReport& report);

// The report as one self-contained HTML document with the flame graph and an A/B chart inline.
std::string render_html(const RunReport& report);

// Creates `dir` and writes report.html, report.md, report.json (and flamegraph.svg when the
// report has one), each atomically. Io error naming the path on failure.
Result<void> write_report_files(const std::filesystem::path& dir, const RunReport& report);

// File names written by write_report_files.
inline constexpr const char* kReportHtml = "report.html";
inline constexpr const char* kReportMarkdown = "report.md";
inline constexpr const char* kReportJson = "report.json";
inline constexpr const char* kReportFlamegraph = "flamegraph.svg";

}  // namespace pgopipe::rebuild
