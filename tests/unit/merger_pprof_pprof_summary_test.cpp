// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <map>

#include "core/formats/pprof/pprof.hpp"
#include "merger/pprof/pprof_engine.hpp"

namespace pgopipe::pprof_merge {
namespace {

// A CPU profile with one leaf-only sample per function: {name: samples}.
std::string profile(const std::map<std::string, int64_t>& flat) {
  pprof::Profile p;
  pprof::StringTable strings(p);
  auto* st = p.add_sample_type();
  st->set_type(strings.intern("samples"));
  st->set_unit(strings.intern("count"));
  uint64_t id = 0;
  for (const auto& [name, count] : flat) {
    ++id;
    auto* f = p.add_function();
    f->set_id(id);
    f->set_name(strings.intern(name));
    auto* l = p.add_location();
    l->set_id(id);
    l->add_line()->set_function_id(id);
    auto* s = p.add_sample();
    s->add_location_id(id);
    s->add_value(count);
  }
  return *pprof::serialize(p, true);
}

double overlap(const std::map<std::string, int64_t>& a, const std::map<std::string, int64_t>& b) {
  auto r = flat_overlap("a", profile(a), "b", profile(b));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : -1;
}

TEST(PprofFlatOverlap, SumsTheSmallerShareOfEachFunction) {
  EXPECT_DOUBLE_EQ(overlap({{"f", 3}, {"g", 1}}, {{"f", 30}, {"g", 10}}), 1.0);  // same shape, 10x the samples
  EXPECT_DOUBLE_EQ(overlap({{"f", 3}, {"g", 1}}, {{"f", 1}, {"g", 1}}), 0.75);   // min(.75,.5) + min(.25,.5)
  EXPECT_DOUBLE_EQ(overlap({{"f", 1}}, {{"g", 1}}), 0.0);                        // nothing in common
  EXPECT_DOUBLE_EQ(overlap({{"f", 1}}, {}), 0.0);                                // an empty profile
}

TEST(PprofFlatOverlap, AnUnreadableProfileIsNamed) {
  auto r = flat_overlap("published.pb.gz", "not a profile", "b", profile({{"f", 1}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("published.pb.gz"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace pgopipe::pprof_merge
