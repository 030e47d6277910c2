// SPDX-License-Identifier: Apache-2.0
#include "merger/engine.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"

namespace pgopipe::merge {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(PGOPIPE_SOURCE_DIR) / "tests" / "data" / "llvm";

TEST(MakeMergeEngine, OneEnginePerMergeableFamily) {
  for (ProfileFamily family : {ProfileFamily::Pprof, ProfileFamily::Instr, ProfileFamily::Sample}) {
    auto engine = make_merge_engine(family, {}, nullptr);
    ASSERT_TRUE(engine) << to_string(family) << ": " << engine.error().message;
    EXPECT_EQ((*engine)->family(), family);
  }
  auto perf = make_merge_engine(ProfileFamily::Perf, {}, nullptr);
  ASSERT_FALSE(perf);
  EXPECT_EQ(perf.error().code, ErrorCode::Usage);
  EXPECT_NE(perf.error().message.find("pgopipe convert"), std::string::npos);
  EXPECT_FALSE(make_merge_engine(ProfileFamily::Unknown, {}, nullptr));
}

TEST(MakeMergeEngine, TheOutputFormatMustBelongToTheFamily) {
  MergeOptions options;
  options.output_format = ProfileFormat::PprofGzip;
  auto wrong = make_merge_engine(ProfileFamily::Sample, options, nullptr);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::Usage);
  EXPECT_NE(wrong.error().message.find("pprof-gzip cannot hold a merged sample profile"), std::string::npos)
      << wrong.error().message;
  EXPECT_TRUE(make_merge_engine(ProfileFamily::Pprof, options, nullptr));
  options.output_format = ProfileFormat::SampleText;
  EXPECT_TRUE(make_merge_engine(ProfileFamily::Sample, options, nullptr));
  EXPECT_FALSE(make_merge_engine(ProfileFamily::Instr, options, nullptr));
}

TEST(SummarizeProfile, DispatchesOnTheDetectedFormat) {
  auto bytes = read_file(kData / "sample_a.txt");
  ASSERT_TRUE(bytes);
  auto sample = summarize_profile("sample_a.txt", *bytes, 3);
  ASSERT_TRUE(sample) << sample.error().message;
  EXPECT_EQ(sample->format, ProfileFormat::SampleText);
  EXPECT_GT(sample->total, 0u);
  ASSERT_FALSE(sample->hottest.empty());
  EXPECT_LE(sample->hottest.size(), 3u);

  auto perf = summarize_profile("perf.data", std::string("PERFILE2") + std::string(64, '\0'), 3);
  ASSERT_FALSE(perf);
  EXPECT_EQ(perf.error().code, ErrorCode::Input);
  EXPECT_NE(perf.error().message.find("perf.data: perf data"), std::string::npos) << perf.error().message;

  auto junk = summarize_profile("junk.bin", std::string("\x01\x02\x03 junk", 8), 3);
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::Input);
  EXPECT_NE(junk.error().message.find("junk.bin: not a recognised profile"), std::string::npos)
      << junk.error().message;
}

TEST(SummarizeProfile, AgreesWithTheMergedOutputOfOneInput) {
  // Merging one input with weight 1 keeps its totals: the engine and the summariser agree.
  ScratchDir dir("pgopipe-engine-test");
  auto bytes = read_file(kData / "sample_b.txt");
  ASSERT_TRUE(bytes);
  auto engine = make_merge_engine(ProfileFamily::Sample, {}, nullptr);
  ASSERT_TRUE(engine);
  ASSERT_TRUE((*engine)->add("sample_b.txt", *bytes, 1));
  ASSERT_TRUE((*engine)->write(dir.path() / "out.afdo"));
  auto out = read_file(dir.path() / "out.afdo");
  ASSERT_TRUE(out);
  auto merged = summarize_profile("out.afdo", *out, 5);
  auto input = summarize_profile("sample_b.txt", *bytes, 5);
  ASSERT_TRUE(merged && input);
  EXPECT_EQ(merged->format, ProfileFormat::SampleExtBinary);
  EXPECT_EQ(merged->total, input->total);
  EXPECT_EQ(merged->functions, input->functions);
}

}  // namespace
}  // namespace pgopipe::merge
