// SPDX-License-Identifier: Apache-2.0
// Small gzipped CPU profiles for unit tests: one leaf-only sample per function.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::testing {

// A gzipped CPU profile with one leaf-only sample per function ({name: samples}) and a duration.
inline std::string cpu_profile(const std::map<std::string, int64_t>& flat, int64_t duration_ns = 60'000'000'000) {
  pprof::Profile p;
  pprof::StringTable strings(p);
  auto* st = p.add_sample_type();
  st->set_type(strings.intern("samples"));
  st->set_unit(strings.intern("count"));
  p.set_duration_nanos(duration_ns);
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

// The flat samples per function of a CPU profile made by cpu_profile (or merged from them).
inline std::map<std::string, int64_t> flat_of(std::string_view bytes) {
  auto p = pprof::parse("profile", bytes);
  EXPECT_TRUE(p) << p.error().message;
  std::map<std::string, int64_t> out;
  if (!p) return out;
  std::map<uint64_t, std::string> fn;
  for (const auto& f : p->function()) fn[f.id()] = std::string(pprof::string_at(*p, f.name()));
  std::map<uint64_t, uint64_t> loc;
  for (const auto& l : p->location()) loc[l.id()] = l.line(0).function_id();
  for (const auto& s : p->sample()) out[fn[loc[s.location_id(0)]]] += s.value(0);
  return out;
}

}  // namespace pgopipe::testing
