// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/pprof_input.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "tests/unit/cpu_profiles.hpp"

namespace pgopipe::pprof_merge {
namespace {

// One prepared input with what its tables view into (the bytes and their inflated form).
struct Prepared {
  std::string bytes, inflated;
  Result<double> weight = 0.0;
  Tables tables;
  std::vector<std::string> warnings;
};

std::unique_ptr<Prepared> prepare(std::string bytes, double weight, bool normalize, uint64_t limit = 16u << 20) {
  merge::MergeOptions options;
  options.normalize_duration = normalize;
  options.limits.max_decompressed_bytes = limit;
  auto p = std::make_unique<Prepared>();
  p->bytes = std::move(bytes);
  merge::WarnFn warn = [&](const std::string& input, const std::string& message) {
    p->warnings.push_back(input + ": " + message);
  };
  p->weight = prepare_input("in.pb.gz", p->bytes, weight, options, warn, p->inflated, p->tables);
  return p;
}

TEST(PprofInput, DecodesAndWeighsEachProfileAsOneMinute) {
  auto p = prepare(testing::cpu_profile({{"f", 3}}, 30'000'000'000), 2.0, true);
  ASSERT_TRUE(p->weight) << p->weight.error().message;
  EXPECT_DOUBLE_EQ(*p->weight, 4.0);  // 2 x (60 s / 30 s)
  EXPECT_EQ(p->tables.samples.size(), 1u);
  EXPECT_TRUE(p->warnings.empty());

  p = prepare(testing::cpu_profile({{"f", 3}}, 30'000'000'000), 2.0, false);
  ASSERT_TRUE(p->weight);
  EXPECT_DOUBLE_EQ(*p->weight, 2.0);  // without normalisation the weight is as given
}

TEST(PprofInput, TinyDurationsCountAsTenMillisecondsAndAreNamed) {
  auto p = prepare(testing::cpu_profile({{"f", 1}}, 1000), 1.0, true);
  ASSERT_TRUE(p->weight);
  EXPECT_DOUBLE_EQ(*p->weight, 6000.0);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_NE(p->warnings[0].find("in.pb.gz: duration_nanos 1000 is below 10 ms"), std::string::npos) << p->warnings[0];
}

TEST(PprofInput, BadInputsAreNamedErrors) {
  auto good = testing::cpu_profile({{"f", 1}});
  for (double w : {0.0, -1.0, std::nan("")}) {
    auto p = prepare(good, w, false);
    ASSERT_FALSE(p->weight) << w;
    EXPECT_EQ(p->weight.error().code, ErrorCode::Usage);
  }
  auto empty = prepare("", 1.0, false);
  ASSERT_FALSE(empty->weight);
  EXPECT_NE(empty->weight.error().message.find("in.pb.gz: empty file"), std::string::npos);
  auto truncated = prepare(good.substr(0, good.size() / 2), 1.0, false);
  ASSERT_FALSE(truncated->weight);
  EXPECT_EQ(truncated->weight.error().code, ErrorCode::Input);
  EXPECT_NE(truncated->weight.error().message.find("in.pb.gz"), std::string::npos);
  auto raw = pprof::parse("good", good);
  ASSERT_TRUE(raw);
  auto over = prepare(raw->SerializeAsString(), 1.0, false, 8);  // uncompressed, over the limit
  ASSERT_FALSE(over->weight);
  EXPECT_NE(over->weight.error().message.find("limits.max_decompressed_bytes"), std::string::npos)
      << over->weight.error().message;
}

TEST(PprofInput, SampleTypesMustMatchWhatWasMerged) {
  auto a = prepare(testing::cpu_profile({{"f", 1}}), 1.0, false);
  auto b = prepare(testing::cpu_profile({{"g", 2}}), 1.0, false);
  ASSERT_TRUE(a->weight && b->weight);
  EXPECT_TRUE(check_sample_types("b", b->tables, a->tables, "a"));
  b->tables.strings[b->tables.header.sample_types[0].type] = "alloc_space";
  auto r = check_sample_types("heap.pb.gz", b->tables, a->tables, "cpu.pb.gz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  for (const char* part : {"heap.pb.gz", "cpu.pb.gz", "[alloc_space/count]", "[samples/count]"}) {
    EXPECT_NE(r.error().message.find(part), std::string::npos) << part << " in " << r.error().message;
  }
}

}  // namespace
}  // namespace pgopipe::pprof_merge
