// SPDX-License-Identifier: Apache-2.0
#include "report/flamegraph.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/formats/pprof/pprof.hpp"
#include "tests/unit/xml_check.hpp"

namespace pgopipe {
namespace {

// main -> work (with `inl` inlined into it) -> leaf<A&B>, plus main -> leaf<A&B> directly.
// Sample types: samples/count, cpu/nanoseconds (the last one is pprof's default).
std::string synthetic_pprof(bool gzip) {
  pprof::Profile p;
  pprof::StringTable s(p);
  for (auto [type, unit] : {std::pair{"samples", "count"}, std::pair{"cpu", "nanoseconds"}}) {
    auto* st = p.add_sample_type();
    st->set_type(s.intern(type));
    st->set_unit(s.intern(unit));
  }
  const char* names[] = {"main", "work", "inl", "leaf<A&B>"};
  for (uint64_t id = 1; id <= 4; ++id) {
    auto* f = p.add_function();
    f->set_id(id);
    f->set_name(s.intern(names[id - 1]));
  }
  auto add_location = [&p](uint64_t id, std::vector<uint64_t> functions_innermost_first) {
    auto* loc = p.add_location();
    loc->set_id(id);
    loc->set_address(0x1000 * id);
    for (uint64_t f : functions_innermost_first) loc->add_line()->set_function_id(f);
  };
  add_location(1, {1});
  add_location(2, {3, 2});  // inl inlined into work
  add_location(3, {4});
  add_location(4, {});      // unsymbolized
  auto* m = p.add_mapping();
  m->set_id(1);
  m->set_filename(s.intern("/srv/bin/app"));
  p.mutable_location(3)->set_mapping_id(1);
  auto add_sample = [&p](std::vector<uint64_t> leaf_first, int64_t n, int64_t ns) {
    auto* sample = p.add_sample();
    for (uint64_t id : leaf_first) sample->add_location_id(id);
    sample->add_value(n);
    sample->add_value(ns);
  };
  add_sample({3, 2, 1}, 1, 100);
  add_sample({2, 1}, 2, 200);
  add_sample({1}, 3, 300);
  add_sample({3, 1}, 4, 400);
  add_sample({4}, 0, 0);  // zero: ignored
  add_sample({4}, 5, 0);  // counted only in "samples"
  return pprof::serialize(p, gzip).value();
}

TEST(FlameGraph, PprofStacksSumPerPathWithInlinedFramesExpanded) {
  for (bool gzip : {false, true}) {
    auto g = report::flamegraph_from_pprof("synthetic.pb", synthetic_pprof(gzip), "");
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->total(), 1000u);  // cpu, the last sample type
    EXPECT_EQ(g->unit, "cpu (nanoseconds)");
    EXPECT_EQ(g->depth(), 4u);
    const auto* main = g->find({"main"});
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(g->root().children.size(), 1u);
    EXPECT_EQ(main->total, 1000u);
    EXPECT_EQ(g->self(*main), 300u);
    const auto* work = g->find({"main", "work"});
    ASSERT_NE(work, nullptr);
    EXPECT_EQ(work->total, 300u);
    EXPECT_EQ(g->self(*work), 0u);
    const auto* inl = g->find({"main", "work", "inl"});
    ASSERT_NE(inl, nullptr);
    EXPECT_EQ(inl->total, 300u);
    EXPECT_EQ(g->self(*inl), 200u);
    EXPECT_EQ(g->find({"main", "work", "inl", "leaf<A&B>"})->total, 100u);
    EXPECT_EQ(g->find({"main", "leaf<A&B>"})->total, 400u);
    EXPECT_EQ(g->find({"main", "nope"}), nullptr);
    EXPECT_EQ(g->size(), 5u);
  }
}

TEST(FlameGraph, SampleTypeByName) {
  auto g = report::flamegraph_from_pprof("synthetic.pb", synthetic_pprof(true), "samples");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->total(), 15u);
  ASSERT_NE(g->find({"app+0x4000"}), nullptr);  // unsymbolized: mapping file name + address
  EXPECT_EQ(g->find({"app+0x4000"})->total, 5u);
  EXPECT_EQ(g->unit, "samples");
  auto bad = report::flamegraph_from_pprof("synthetic.pb", synthetic_pprof(true), "alloc_space");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::Usage);
  EXPECT_NE(bad.error().message.find("available: samples, cpu"), std::string::npos) << bad.error().message;
}

TEST(FlameGraph, CorruptPprofIsAnInputErrorNamingTheFile) {
  auto g = report::flamegraph_from_pprof("broken.pb.gz", std::string("\x1f\x8b\x08\x00garbage", 12), "");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::Input);
  EXPECT_NE(g.error().message.find("broken.pb.gz"), std::string::npos);
}

TEST(FlameGraph, SvgGeometryTooltipsAndEscaping) {
  auto g = report::flamegraph_from_pprof("synthetic.pb", synthetic_pprof(false), "");
  ASSERT_TRUE(g.ok());
  report::FlameOptions options;
  options.title = "T <&> \"q\"";
  std::string svg = report::render_flamegraph_svg(*g, options);
  EXPECT_TRUE(test::well_formed_xml(svg)) << svg;
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("T &lt;&amp;&gt; &quot;q&quot;"), std::string::npos);
  EXPECT_NE(svg.find("Total: 1,000 cpu (nanoseconds)"), std::string::npos);
  // 1200 px wide, 10 px padding each side: 1.18 px per ns; children sorted by name.
  EXPECT_NE(svg.find("<title>all (1,000 cpu (nanoseconds), 100.00%)</title><rect x=\"10.00\""), std::string::npos);
  EXPECT_NE(svg.find("<title>leaf&lt;A&amp;B&gt; (400 cpu (nanoseconds), 40.00%)</title>"
                     "<rect x=\"10.00\" y=\"98.0\" width=\"472.00\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<title>work (300 cpu (nanoseconds), 30.00%)</title><rect x=\"482.00\" y=\"98.0\" width=\"354.00\""),
            std::string::npos);
  EXPECT_NE(svg.find(">leaf&lt;A&amp;B&gt;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("leaf<A"), std::string::npos);
  EXPECT_EQ(svg, report::render_flamegraph_svg(*g, options));  // deterministic
}

TEST(FlameGraph, NarrowFramesAreDroppedAndLongNamesShortened) {
  report::FlameGraph g;
  std::vector<std::string> wide{"a_rather_long_function_name_that_cannot_fit"};
  std::vector<std::string> narrow{"tiny"};
  g.add(wide, 999);
  g.add(narrow, 1);
  report::FlameOptions options;
  options.width = 200;  // 180 px usable: "tiny" gets 0.18 px, below 0.1 % of 200 = 0.2 px
  std::string svg = report::render_flamegraph_svg(g, options);
  EXPECT_TRUE(test::well_formed_xml(svg));
  EXPECT_EQ(svg.find("tiny"), std::string::npos);
  EXPECT_NE(svg.find("<title>a_rather_long_function_name_that_cannot_fit ("), std::string::npos);
  EXPECT_NE(svg.find("..</text>"), std::string::npos);
  options.min_frame_px = 0;
  EXPECT_NE(report::render_flamegraph_svg(g, options).find("<title>tiny (1 samples"), std::string::npos);
}

TEST(FlameGraph, EmptyGraphAndHostileBytesStayWellFormed) {
  report::FlameGraph empty;
  EXPECT_TRUE(test::well_formed_xml(report::render_flamegraph_svg(empty, {})));
  report::FlameGraph g;
  std::vector<std::string> hostile{"</svg><script>x()</script>", std::string("bad\xff\x01utf8")};
  g.add(hostile, 5);
  g.subtitle = "]]> & <!--";
  std::string svg = report::render_flamegraph_svg(g, {});
  EXPECT_TRUE(test::well_formed_xml(svg)) << svg;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("bad\xEF\xBF\xBD?utf8"), std::string::npos);
}

TEST(FlameGraph, UnsupportedOrMissingFilesAreInputErrors) {
  auto missing = report::flamegraph_svg_from_file("/nonexistent/profile.pb.gz", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::Input);
  EXPECT_NE(missing.error().message.find("/nonexistent/profile.pb.gz"), std::string::npos);
}

TEST(FlameGraph, DeepStacksAreCutAtTheDepthLimitAndDrawnWithoutRecursion) {
  report::FlameGraph g(1024);
  std::vector<uint32_t> frames;
  for (int i = 0; i < 25000; ++i) frames.push_back(g.intern("f" + std::to_string(i % 7)));
  g.add(std::span<const uint32_t>(frames), 3);
  g.add(std::span<const uint32_t>(frames.data(), 10), 1);
  EXPECT_EQ(g.depth(), 1024u);
  EXPECT_EQ(g.truncated(), 1u);
  EXPECT_EQ(g.total(), 4u);
  report::FlameOptions options;
  options.min_frame_px = 0;
  std::string svg = report::render_flamegraph_svg(g, options);
  EXPECT_TRUE(test::well_formed_xml(svg));
  EXPECT_NE(svg.find("1 stack(s) deeper than 1024 frames truncated (limits.max_stack_depth)"),
            std::string::npos);
  // Every frame of the kept stack is drawn: 1024 frames plus "all".
  size_t rects = 0;
  for (size_t at = svg.find("<rect x="); at != std::string::npos; at = svg.find("<rect x=", at + 1)) ++rects;
  EXPECT_EQ(rects, 1 + 1024 + 1);  // + the background
}

}  // namespace
}  // namespace pgopipe
