// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/sample_engine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

const std::string kA = "main:100:10\n 1: 10\n 2: 90 foo:90\nfoo:50:5\n 1: 50\n";
const std::string kB = "main:7:1\n 1: 7\n 3: bar:4\n  1: 4\n";

std::unique_ptr<merge::MergeEngine> engine(ProfileFormat out = ProfileFormat::Unknown) {
  merge::MergeOptions options;
  options.output_format = out;
  auto e = llvm_merge::make_sample_engine(options, nullptr);
  EXPECT_TRUE(e.ok());
  return std::move(*e);
}

TEST(SampleEngine, OnlySampleOutputFormats) {
  merge::MergeOptions options;
  options.output_format = ProfileFormat::LlvmIndexed;
  auto e = llvm_merge::make_sample_engine(options, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::Usage);
}

TEST(SampleEngine, WeightedMergeInEveryOutputFormat) {
  ScratchDir dir("pgopipe-sample-unit");
  for (auto format : {ProfileFormat::SampleExtBinary, ProfileFormat::SampleBinary, ProfileFormat::SampleText}) {
    auto e = engine(format);
    ASSERT_TRUE(e->add("a.txt", kA, 2).ok());
    ASSERT_TRUE(e->add("b.txt", kB, 3).ok());
    fs::path out = dir.path() / std::string(to_string(format));
    ASSERT_TRUE(e->write(out).ok());
    auto summary = llvm_merge::summarize_sample(out.string(), read_file(out).value(), 5);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->format, format);
    EXPECT_EQ(summary->functions, 2u);
    EXPECT_EQ(summary->total, 2u * (100 + 50) + 3u * 7);
    ASSERT_FALSE(summary->hottest.empty());
    EXPECT_EQ(summary->hottest[0].name, "main");
    EXPECT_EQ(summary->hottest[0].count, 2u * 100 + 3u * 7);
  }
}

TEST(SampleEngine, MalformedInputIsANamedErrorNotAnExit) {
  auto e = engine();
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"empty.txt", ""}, {"bad.txt", "main:1:1\n 1: x\n"}, {"x.profraw", std::string("\x81rforpl\xff\x0a", 8)}}) {
    auto added = e->add(name, bytes, 1);
    ASSERT_FALSE(added.ok()) << name;
    EXPECT_EQ(added.error().code, ErrorCode::Input);
    EXPECT_NE(added.error().message.find(name), std::string::npos) << added.error().message;
  }
  EXPECT_EQ(e->add("a.txt", kA, 0.5).error().code, ErrorCode::Internal);
}

TEST(SampleEngine, AbsorbedNamesOutliveTheAbsorbedEngine) {
  ScratchDir dir("pgopipe-sample-unit");
  auto a = engine(ProfileFormat::SampleText);
  {
    auto b = engine(ProfileFormat::SampleText);
    std::string bytes = kB;  // the input bytes go away too
    ASSERT_TRUE(b->add("b.txt", bytes, 1).ok());
    ASSERT_TRUE(a->absorb(*b).ok());
  }
  ASSERT_TRUE(a->add("a.txt", kA, 1).ok());
  ASSERT_TRUE(a->write(dir.path() / "out.txt").ok());
  std::string text = read_file(dir.path() / "out.txt").value();
  EXPECT_NE(text.find("main:107:11"), std::string::npos) << text;
  EXPECT_NE(text.find("bar:4"), std::string::npos) << text;
}

}  // namespace
}  // namespace pgopipe
