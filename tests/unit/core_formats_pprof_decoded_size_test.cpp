// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::pprof {
namespace {

// A profile with known numbers of each record kind.
struct Shape {
  int functions = 0, locations = 0, samples = 0, stack = 0;
};

struct Built {
  std::string bytes;
  uint64_t samples, locations, functions, strings, records;
};

Built build(const Shape& shape) {
  Profile p;
  StringTable s(p);  // interns "" first
  auto* st = p.add_sample_type();
  st->set_type(s.intern("cpu"));
  st->set_unit(s.intern("nanoseconds"));
  for (int i = 1; i <= shape.functions; ++i) {
    auto* f = p.add_function();
    f->set_id(i);
    f->set_name(s.intern("fn" + std::to_string(i)));
  }
  for (int i = 1; i <= shape.locations; ++i) {
    auto* l = p.add_location();
    l->set_id(i);
    for (int line = 0; line < 2; ++line) {  // an inlined frame and its caller
      auto* ln = l->add_line();
      ln->set_function_id(1 + (i + line) % shape.functions);
      ln->set_line(10 + line);
    }
  }
  for (int i = 0; i < shape.samples; ++i) {
    auto* sm = p.add_sample();
    for (int d = 0; d < shape.stack; ++d) sm->add_location_id(1 + (i + d) % shape.locations);
    sm->add_value(1000 + i);
    auto* label = sm->add_label();
    label->set_key(s.intern("pod"));
    label->set_str(s.intern("a"));
  }
  p.set_time_nanos(1);  // a scalar field: one record
  Built b;
  b.bytes = p.SerializeAsString();
  b.samples = p.sample_size();
  b.locations = p.location_size();
  b.functions = p.function_size();
  b.strings = p.string_table_size();
  // Every message, location line, stack entry, value and label, and the scalar.
  b.records = p.sample_type_size() + b.functions + b.strings + b.locations * (1 + 2) +
              b.samples * (1 + shape.stack + 1 + 1) + 1;
  return b;
}

InputLimits exactly(const Built& b) {
  InputLimits l;
  l.max_samples = b.samples;
  l.max_locations = b.locations;
  l.max_functions = b.functions;
  l.max_strings = b.strings;
  l.max_records = b.records;
  return l;
}

TEST(PprofDecodedSize, EachCountMayReachItsLimitButNotPassIt) {
  Built b = build({.functions = 7, .locations = 11, .samples = 13, .stack = 5});
  ASSERT_TRUE(check_decoded_size("p.pb", b.bytes, exactly(b)));
  struct Case {
    uint64_t InputLimits::*limit;
    const char* key;
  };
  for (auto [limit, key] : {Case{&InputLimits::max_samples, "max_samples"},
                            Case{&InputLimits::max_locations, "max_locations"},
                            Case{&InputLimits::max_functions, "max_functions"},
                            Case{&InputLimits::max_strings, "max_strings"},
                            Case{&InputLimits::max_records, "max_records"}}) {
    InputLimits l = exactly(b);
    l.*limit -= 1;
    auto r = check_decoded_size("p.pb", b.bytes, l);
    ASSERT_FALSE(r) << key;
    EXPECT_EQ(r.error().code, ErrorCode::Input);
    EXPECT_NE(r.error().message.find(std::string("limits.") + key), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("p.pb: more than ", 0), 0u) << r.error().message;
  }
}

TEST(PprofDecodedSize, DeepStacksCountAsRecords) {
  // The same numbers of messages; only the stacks are deeper.
  Built shallow = build({.functions = 3, .locations = 4, .samples = 50, .stack = 1});
  Built deep = build({.functions = 3, .locations = 4, .samples = 50, .stack = 64});
  EXPECT_TRUE(check_decoded_size("deep.pb", deep.bytes, exactly(deep)));
  EXPECT_FALSE(check_decoded_size("deep.pb", deep.bytes, exactly(shallow)));
  EXPECT_TRUE(check_decoded_size("shallow.pb", shallow.bytes, exactly(shallow)));
}

TEST(PprofDecodedSize, AnAmplifyingInputIsRefusedBeforeDecoding) {
  // A million empty samples: two bytes each on the wire, a few KB once gzipped.
  std::string raw;
  for (int i = 0; i < 1'000'000; ++i) raw += std::string("\x12\x00", 2);
  auto r = check_decoded_size("bomb.pb", raw, InputLimits{.max_samples = 100'000});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("more than 100000 samples"), std::string::npos) << r.error().message;
  EXPECT_TRUE(check_decoded_size("empty.pb", "", InputLimits{}));
}

}  // namespace
}  // namespace pgopipe::pprof
