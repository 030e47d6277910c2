// SPDX-License-Identifier: Apache-2.0
#include "rebuild/report_render.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/fs.hpp"
#include "report/flamegraph.hpp"
#include "rebuild/report_rows.hpp"
#include "report/text.hpp"
#include "tests/unit/xml_check.hpp"

namespace pgopipe {
namespace {

rebuild::RunReport hostile_report() {
  rebuild::RunReport r;
  r.app = "<script>alert('app')</script>";
  r.outcome = rebuild::RebuildOutcome::Published;
  r.message = "PGO build is 7.5 % faster & \"published\"";
  r.started_at = "2026-11-22T05:00:00Z";
  r.window = Window{parse_time("2026-11-21T05:00:00Z", now()).value(), parse_time("2026-11-22T05:00:00Z", now()).value()};
  r.profiles_merged = 12;
  r.profiles_skipped = 1;
  r.profile_kind = "LLVM instr (IR)";
  r.profile_sha256 = "ab12";
  r.overlap_with_published = 0.83;
  r.unchanged_threshold = 0.99;
  r.gate_threshold = 0.02;
  rebuild::BenchmarkResult b;
  b.baseline_seconds = {1.0, 1.02, 0.98};
  b.pgo_seconds = {0.93, 0.94, 0.92};
  b.baseline_median = 1.0;
  b.pgo_median = 0.93;
  b.speedup = 1.075;
  b.speedup_low = 1.05;
  b.speedup_high = 1.10;
  r.benchmark = b;
  r.match = rebuild::ProfileMatch{200, 180, 3};
  r.hot_functions = {{"std::map<int, A&B>::find(\"<script>\")", 5000, 0.5},
                     {"operator<<(std::ostream&, T const&)", 100, 0.01}};
  r.stages = {{"fetch", 0.5, "ok", "12 profiles & <1 MiB>"}, {"merge", 1.25, "ok", ""}};
  report::FlameGraph g;
  std::vector<std::string> stack{"main", "std::map<int, A&B>::find(\"<script>\")"};
  g.add(stack, 5000);
  r.flamegraph_svg = report::render_flamegraph_svg(g, {});
  r.published_key = "app/published/profile.profdata";
  return r;
}

TEST(RenderReport, OutcomeNames) {
  EXPECT_EQ(rebuild::outcome_name(rebuild::RebuildOutcome::Published), "published");
  EXPECT_EQ(rebuild::outcome_name(rebuild::RebuildOutcome::Unchanged), "unchanged");
  EXPECT_EQ(rebuild::outcome_name(rebuild::RebuildOutcome::Gated), "gated");
  EXPECT_EQ(rebuild::outcome_name(rebuild::RebuildOutcome::Busy), "busy");
  EXPECT_EQ(rebuild::outcome_name(rebuild::RebuildOutcome::Failed), "failed");
}

TEST(RenderReport, HtmlEscapesEveryProfileString) {
  std::string html = rebuild::render_html(hostile_report());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;app&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("std::map&lt;int, A&amp;B&gt;::find(&quot;&lt;script&gt;&quot;)"), std::string::npos);
  EXPECT_NE(html.find("12 profiles &amp; &lt;1 MiB&gt;"), std::string::npos);
  EXPECT_NE(html.find("7.5 % faster &amp; &quot;published&quot;"), std::string::npos);
  // Self-contained: inline style and SVG, no scripts, no external references.
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("http://", html.find("<body>")), html.find("http://www.w3.org/2000/svg", html.find("<body>")));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find(" href="), std::string::npos);
  // Flame graph and A/B chart inline, both well-formed.
  size_t flame = html.find("<div class=\"flame\">");
  ASSERT_NE(flame, std::string::npos);
  size_t chart = html.find("<div class=\"chart\">");
  ASSERT_NE(chart, std::string::npos);
  std::string chart_svg = html.substr(chart + 19, html.find("</div>", chart) - chart - 19);
  EXPECT_TRUE(test::well_formed_xml(chart_svg)) << chart_svg;
  EXPECT_NE(chart_svg.find("baseline run 3: 0.9800 s"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"big\">Speedup 1.075×"), std::string::npos);
  EXPECT_NE(html.find("class=\"badge published\""), std::string::npos);
}

TEST(RenderReport, JsonParsesBackWithTheValues) {
  rebuild::RunReport r = hostile_report();
  auto j = nlohmann::json::parse(rebuild::render_json(r));
  EXPECT_EQ(j["schema"], "pgopipe.run-report/1");
  EXPECT_EQ(j["app"], r.app);
  EXPECT_EQ(j["outcome"], "published");
  EXPECT_EQ(j["window"]["since"], "2026-11-21T05:00:00Z");
  EXPECT_EQ(j["window"]["until"], "2026-11-22T05:00:00Z");
  EXPECT_EQ(j["profiles"]["merged"], 12);
  EXPECT_DOUBLE_EQ(j["overlap_with_published"].get<double>(), 0.83);
  EXPECT_DOUBLE_EQ(j["benchmark"]["speedup"].get<double>(), 1.075);
  EXPECT_EQ(j["benchmark"]["pgo_seconds"].size(), 3u);
  EXPECT_EQ(j["match"]["stale_functions"], 3);
  EXPECT_EQ(j["hot_functions"][0]["name"], r.hot_functions[0].name);
  EXPECT_EQ(j["hot_functions"][0]["count"], 5000);
  EXPECT_EQ(j["stages"][1]["name"], "merge");
  EXPECT_DOUBLE_EQ(j["stages"][1]["seconds"].get<double>(), 1.25);
  EXPECT_EQ(j["has_flamegraph"], true);

  rebuild::RunReport minimal;
  minimal.hot_functions = {{std::string("bad\xff name"), 1, 1.0}};
  auto m = nlohmann::json::parse(rebuild::render_json(minimal));  // invalid UTF-8 is replaced, not thrown
  EXPECT_TRUE(m["benchmark"].is_null());
  EXPECT_TRUE(m["match"].is_null());
  EXPECT_TRUE(m["overlap_with_published"].is_null());
  EXPECT_EQ(m["outcome"], "failed");
}

TEST(RenderReport, MarkdownHasTheSectionsAndEscapes) {
  std::string md = rebuild::render_markdown(hostile_report());
  for (const char* section : {"## Summary", "## Benchmark", "## Profile match", "## Stages",
                              "## Hot functions", "## Flame graph", "(flamegraph.svg)"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_NE(md.find("operator&lt;&lt;\\(std::ostream&amp;, T const&amp;\\)"), std::string::npos) << md;
  EXPECT_NE(md.find("Speedup 1.075×"), std::string::npos);
  std::string bare = rebuild::render_markdown(rebuild::RunReport{});
  EXPECT_EQ(bare.find("## Benchmark"), std::string::npos);
  EXPECT_EQ(bare.find("## Flame graph"), std::string::npos);
}

TEST(RenderReport, MarkdownAndHtmlShowEveryRowOfTheRowModel) {
  rebuild::RunReport r = hostile_report();
  std::string md = rebuild::render_markdown(r);
  std::string html = rebuild::render_html(r);
  size_t cells = 0;
  for (const auto& section : rebuild::report_sections(r)) {
    EXPECT_NE(md.find("## " + section.title + "\n"), std::string::npos) << section.title;
    EXPECT_NE(html.find("<h2>" + report::escape_markup(section.title) + "</h2>"), std::string::npos) << section.title;
    for (const auto& row : section.rows) {
      for (const auto& cell : row) {
        if (cell.text.empty()) continue;  // a stage without detail
        ++cells;
        // Code cells are shown in backticks in Markdown, every other cell escaped.
        std::string in_md = cell.kind == rebuild::CellKind::Code ? "`" + cell.text + "`" : report::escape_markdown(cell.text);
        EXPECT_NE(md.find("| " + in_md + " |"), std::string::npos) << section.id << ": " << cell.text;
        std::string before = cell.bar ? "</span> " : ">";  // a share follows its bar
        EXPECT_NE(html.find(before + report::escape_markup(cell.text) + "</"), std::string::npos) << section.id << ": " << cell.text;
      }
    }
  }
  EXPECT_GT(cells, 30u);
  // One percent format in both, and the gate row in both.
  for (const auto& [doc, escape] : {std::pair{md, &report::escape_markdown}, std::pair{html, &report::escape_markup}}) {
    EXPECT_NE(doc.find(escape("83.0\u202f% (unchanged at ≥ 99.0\u202f%)")), std::string::npos) << doc;
    EXPECT_NE(doc.find("at most 2.0\u202f% slower"), std::string::npos) << doc;
    EXPECT_NE(doc.find(escape("180 (90.0\u202f%)")), std::string::npos) << doc;  // of 200 functions
  }
  EXPECT_EQ(html.find("&#8239;"), std::string::npos);
  // Markdown right-aligns the number columns of the hot functions.
  EXPECT_NE(md.find("| # | function | count | share |\n|---:|---|---:|---:|\n"), std::string::npos) << md;
  // HTML keeps its own extras: the full symbol as a tooltip, the share bar, the stage status class.
  EXPECT_NE(html.find("title=\"operator&lt;&lt;(std::ostream&amp;, T const&amp;)\""), std::string::npos);
  EXPECT_NE(html.find("<span class=\"bar\" style=\"width:60px\"></span> 50.0\u202f%"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"ok\">ok</td>"), std::string::npos);
}

TEST(RenderReport, WriteReportFilesCreatesTheDirectory) {
  ScratchDir scratch("pgopipe-report");
  auto dir = scratch.path() / "run";
  ASSERT_TRUE(rebuild::write_report_files(dir, hostile_report()).ok());
  for (const char* f : {rebuild::kReportHtml, rebuild::kReportMarkdown, rebuild::kReportJson, rebuild::kReportFlamegraph}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  EXPECT_EQ(read_file(dir / rebuild::kReportHtml).value(), rebuild::render_html(hostile_report()));
  // Nothing but the four files (no temp files left behind).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 4);
  auto blocked = rebuild::write_report_files(dir / rebuild::kReportHtml / "sub", hostile_report());
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::Io);
}

}  // namespace
}  // namespace pgopipe
