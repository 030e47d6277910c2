// SPDX-License-Identifier: Apache-2.0
#include "collector/perf_sampler.hpp"

#include <gtest/gtest.h>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::collector {
namespace {

TEST(PerfSamplesToPprof, MappingsBuildIdsFunctionsAndCpuValues) {
  perf::AddressSamples samples;
  uint32_t app = samples.add_mapping({0x1000, 0x2000, 0, "", "/srv/app"});
  uint32_t lib = samples.add_mapping({0x7000, 0x8000, 0x100, "beef", "/lib/libc.so.6"});
  perf::Frame hot{0x1100, app}, main{0x1200, app}, start{0x7010, lib}, lost{0x9999, perf::kNoMapping};
  std::vector<perf::Frame> a{hot, main, start}, b{lost, main, start};
  samples.add(a, 3);
  samples.add(b, 1);
  perf::FrameSymbols symbols{{{app, 0x1100}, "hot"}, {{app, 0x1200}, "main"}};
  auto bytes = perf_samples_to_pprof(samples, symbols, 100, TimePoint{std::chrono::seconds{5}},
                                     std::chrono::seconds{2}, {{"/srv/app", "cafe"}});
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  auto p = pprof::parse("t", *bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->period(), 10'000'000);
  EXPECT_EQ(p->duration_nanos(), 2'000'000'000);
  ASSERT_EQ(p->mapping_size(), 2);
  EXPECT_EQ(pprof::string_at(*p, p->mapping(0).build_id()), "cafe");  // filled from the ELF map
  EXPECT_EQ(pprof::string_at(*p, p->mapping(1).build_id()), "beef");  // perf's own ID kept
  EXPECT_EQ(p->mapping(1).file_offset(), 0x100u);
  ASSERT_EQ(p->function_size(), 2);
  ASSERT_EQ(p->sample_size(), 2);
  EXPECT_EQ(p->sample(0).value(0), 3);
  EXPECT_EQ(p->sample(0).value(1), 30'000'000);
  const auto& leaf = p->location(static_cast<int>(p->sample(0).location_id(0)) - 1);
  ASSERT_EQ(leaf.line_size(), 1);
  EXPECT_EQ(pprof::string_at(*p, p->function(static_cast<int>(leaf.line(0).function_id()) - 1).name()), "hot");
  const auto& unmapped = p->location(static_cast<int>(p->sample(1).location_id(0)) - 1);
  EXPECT_EQ(unmapped.mapping_id(), 0u);
  EXPECT_EQ(unmapped.line_size(), 0);
}

}  // namespace
}  // namespace pgopipe::collector
