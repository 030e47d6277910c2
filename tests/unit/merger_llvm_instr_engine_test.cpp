// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/instr_engine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

// LLVM's text format for instrumented profiles: name, hash, counter count, counters.
const std::string kTextA = "# Front-end\nfoo\n1234\n2\n10\n20\n\nbar\n99\n1\n5\n";
const std::string kTextB = "# Front-end\nfoo\n1234\n2\n1\n2\n";

std::unique_ptr<merge::MergeEngine> engine() {
  auto e = llvm_merge::make_instr_engine(merge::MergeOptions{}, nullptr);
  EXPECT_TRUE(e.ok());
  return std::move(*e);
}

TEST(InstrEngine, OnlyIndexedOutput) {
  merge::MergeOptions options;
  options.output_format = ProfileFormat::SampleText;
  auto e = llvm_merge::make_instr_engine(options, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::Usage);
  options.output_format = ProfileFormat::LlvmIndexed;
  EXPECT_TRUE(llvm_merge::make_instr_engine(options, nullptr).ok());
  EXPECT_EQ((*llvm_merge::make_instr_engine(options, nullptr))->family(), ProfileFamily::Instr);
}

TEST(InstrEngine, WeightsMustBeIntegral) {
  auto e = engine();
  for (double w : {1.5, 0.0, -2.0}) {
    auto added = e->add("a.proftext", kTextA, w);
    ASSERT_FALSE(added.ok()) << w;
    EXPECT_EQ(added.error().code, ErrorCode::Internal);
    EXPECT_NE(added.error().message.find("a.proftext"), std::string::npos);
  }
}

TEST(InstrEngine, EmptyAndForeignInputsAreNamedInputErrors) {
  auto e = engine();
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"zero.profraw", ""}, {"s.afdo", "main:100:10\n 1: 10\n"}, {"junk.profraw", "\x01\x02junk"}}) {
    auto added = e->add(name, bytes, 1);
    ASSERT_FALSE(added.ok()) << name;
    EXPECT_EQ(added.error().code, ErrorCode::Input);
    EXPECT_NE(added.error().message.find(name), std::string::npos) << added.error().message;
  }
}

TEST(InstrEngine, WeightedMergeRoundTrips) {
  ScratchDir dir("pgopipe-instr-unit");
  auto e = engine();
  ASSERT_TRUE(e->add("a", kTextA, 3).ok());
  ASSERT_TRUE(e->add("b", kTextB, 2).ok());
  ASSERT_TRUE(e->write(dir.path() / "out.profdata").ok());
  std::string bytes = read_file(dir.path() / "out.profdata").value();
  auto summary = llvm_merge::summarize_instr("out.profdata", bytes, 10);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->format, ProfileFormat::LlvmIndexed);
  EXPECT_EQ(summary->functions, 2u);
  EXPECT_EQ(summary->total, 3u * (10 + 20 + 5) + 2u * (1 + 2));
  ASSERT_EQ(summary->hottest.size(), 2u);
  EXPECT_EQ(summary->hottest[0].name, "foo");
  EXPECT_EQ(summary->hottest[0].count, 3u * 20 + 2u * 2);
  // The output is itself a valid input.
  auto again = engine();
  ASSERT_TRUE(again->add("out.profdata", bytes, 1).ok());
}

TEST(InstrEngine, AbsorbFoldsAndEmptiesThePeer) {
  ScratchDir dir("pgopipe-instr-unit");
  auto a = engine(), b = engine();
  ASSERT_TRUE(a->add("a", kTextA, 1).ok());
  ASSERT_TRUE(b->add("b", kTextB, 1).ok());
  ASSERT_TRUE(a->absorb(*b).ok());
  ASSERT_TRUE(a->write(dir.path() / "a.profdata").ok());
  ASSERT_TRUE(b->write(dir.path() / "b.profdata").ok());
  EXPECT_EQ(llvm_merge::summarize_instr("a", read_file(dir.path() / "a.profdata").value(), 1)->total, 38u);
  EXPECT_EQ(llvm_merge::summarize_instr("b", read_file(dir.path() / "b.profdata").value(), 1)->functions, 0u);
}

TEST(InstrEngine, FailedWriteLeavesNoFile) {
  ScratchDir dir("pgopipe-instr-unit");
  auto e = engine();
  ASSERT_TRUE(e->add("a", kTextA, 1).ok());
  auto written = e->write(dir.path() / "no-such-dir" / "out.profdata");
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace pgopipe
