// SPDX-License-Identifier: Apache-2.0
// The sample-profile engine against llvm-profdata-19: text, binary and extbinary inputs merged
// with weights by both tools, compared through `llvm-profdata show --sample`.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <thread>

#include "core/fs.hpp"
#include "merger/llvm/sample_engine.hpp"
#include "tests/integration/merger_llvm/tool_runner.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;
using testing::run_tool;

const char* kProfdata = "llvm-profdata-19";
const fs::path kData(PGOPIPE_TEST_DATA_DIR);

struct Weighted {
  fs::path file;
  uint64_t weight;
};

class SampleMerge : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_tool(kProfdata)) GTEST_SKIP() << "SKIPPED: llvm-profdata-19 not on PATH";
    // Binary and extbinary inputs, produced by the reference tool from the text files.
    convert(kData / "sample_b.txt", "--binary", binary_b_);
    convert(kData / "sample_c.txt", "--extbinary", extbinary_c_);
  }

  void convert(const fs::path& text, const std::string& flag, const fs::path& out) {
    auto r = run_tool(kProfdata, {"merge", "--sample", flag, text.string(), "-o", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::unique_ptr<merge::MergeEngine> engine(ProfileFormat out = ProfileFormat::Unknown) {
    merge::MergeOptions options;
    options.output_format = out;
    auto e = llvm_merge::make_sample_engine(options, [](const std::string& in, const std::string& msg) {
      std::cout << "  warning: " << in << ": " << msg << "\n";
    });
    EXPECT_TRUE(e.ok());
    return std::move(*e);
  }

  static void add_all(merge::MergeEngine& e, const std::vector<Weighted>& inputs) {
    for (const auto& in : inputs) {
      auto added = e.add(in.file.string(), read_file(in.file).value(), static_cast<double>(in.weight));
      ASSERT_TRUE(added.ok()) << added.error().message;
    }
  }

  static fs::path reference(const std::vector<Weighted>& inputs, const std::string& flag, const fs::path& out) {
    std::vector<std::string> args{"merge", "--sample", flag, "-o", out.string()};
    for (const auto& in : inputs) args.push_back("-weighted-input=" + std::to_string(in.weight) + "," + in.file.string());
    auto r = run_tool(kProfdata, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }

  static std::string show(const fs::path& profile) {
    auto r = run_tool(kProfdata, {"show", "--sample", profile.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  ScratchDir dir_{"pgopipe-llvm-sample"};
  fs::path binary_b_ = dir_.path() / "b.afdo";
  fs::path extbinary_c_ = dir_.path() / "c.extbinary.afdo";
};

TEST_F(SampleMerge, AllInputFormatsAndOutputFormatsMatchLlvmProfdata) {
  std::vector<Weighted> inputs{{kData / "sample_a.txt", 2}, {binary_b_, 1}, {extbinary_c_, 3}};
  struct Case {
    ProfileFormat format;
    std::string flag;
  };
  for (const Case& c : {Case{ProfileFormat::Unknown, "--extbinary"}, Case{ProfileFormat::SampleBinary, "--binary"},
                        Case{ProfileFormat::SampleText, "--text"}}) {
    SCOPED_TRACE(c.flag);
    auto e = engine(c.format);
    add_all(*e, inputs);
    fs::path ours = dir_.path() / ("ours" + c.flag), theirs = reference(inputs, c.flag, dir_.path() / ("ref" + c.flag));
    ASSERT_TRUE(e->write(ours).ok());
    std::string shown = show(ours);
    EXPECT_EQ(shown, show(theirs));
    EXPECT_NE(shown.find("_Z3quxv"), std::string::npos);
    std::string bytes = read_file(ours).value();
    auto detected = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    EXPECT_EQ(detected, c.format == ProfileFormat::Unknown ? ProfileFormat::SampleExtBinary : c.format);
    if (c.format == ProfileFormat::SampleText) {
      EXPECT_EQ(bytes, read_file(theirs).value());
    }
  }
}

TEST_F(SampleMerge, ContextSensitiveProfilesMatchLlvmProfdata) {
  testing::spit(dir_.path() / "cs1.txt", "[main:1 @ _Z3fooi]:100:10\n 1: 10\n 2: 90 _Z3bari:90\n[main]:50:50\n 1: 50\n");
  testing::spit(dir_.path() / "cs2.txt", "[main:1 @ _Z3fooi]:40:4\n 1: 4\n 3: 36\n[main:2 @ _Z3bari]:7:7\n 1: 7\n");
  std::vector<Weighted> inputs{{dir_.path() / "cs1.txt", 1}, {dir_.path() / "cs2.txt", 5}};
  auto e = engine(ProfileFormat::SampleText);
  add_all(*e, inputs);
  ASSERT_TRUE(e->write(dir_.path() / "cs-ours.txt").ok());
  EXPECT_EQ(read_file(dir_.path() / "cs-ours.txt").value(),
            read_file(reference(inputs, "--text", dir_.path() / "cs-ref.txt")).value());
  // A context-sensitive profile does not merge into flat ones.
  auto flat = engine();
  add_all(*flat, {{kData / "sample_a.txt", 1}});
  auto mixed = flat->add("cs1.txt", read_file(dir_.path() / "cs1.txt").value(), 1);
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("cs1.txt"), std::string::npos) << mixed.error().message;
  EXPECT_NE(mixed.error().message.find("context-sensitive"), std::string::npos) << mixed.error().message;
}

TEST_F(SampleMerge, BadInputsAreNamedErrorsAndChangeNothing) {
  std::string ext = read_file(extbinary_c_).value();
  std::string raw_magic("\x81rforpl\xff\x0a\x00\x00\x00\x00\x00\x00\x00", 16);
  std::vector<std::pair<std::string, std::string>> bad{
      {"empty.afdo", ""},
      {"truncated.afdo", ext.substr(0, ext.size() / 2)},
      {"garbage.txt", "main:abc:1\n 1: x\n"},
      {"bad-line.txt", "main:100:10\n 1: 10\n 2: abc\n"},
      {"instr.profraw", raw_magic},
  };
  auto e = engine(ProfileFormat::SampleText);
  for (const auto& [name, bytes] : bad) {
    auto added = e->add(name, bytes, 1);
    ASSERT_FALSE(added.ok()) << name;
    EXPECT_EQ(added.error().code, ErrorCode::Input) << name;
    EXPECT_NE(added.error().message.find(name), std::string::npos) << added.error().message;
    std::cout << "  rejected: " << added.error().message << "\n";
  }
  add_all(*e, {{kData / "sample_a.txt", 1}});
  ASSERT_TRUE(e->write(dir_.path() / "after-bad.txt").ok());
  EXPECT_EQ(read_file(dir_.path() / "after-bad.txt").value(),
            read_file(reference({{kData / "sample_a.txt", 1}}, "--text", dir_.path() / "a-ref.txt")).value());
}

TEST_F(SampleMerge, WorkersAbsorbedEqualOneEngine) {
  std::vector<Weighted> all{{kData / "sample_a.txt", 2}, {binary_b_, 1}, {extbinary_c_, 3},
                            {kData / "sample_b.txt", 4}};
  auto a = engine(ProfileFormat::SampleText), b = engine(ProfileFormat::SampleText);
  std::thread ta([&] { add_all(*a, {all[0], all[1]}); });
  std::thread tb([&] { add_all(*b, {all[2], all[3]}); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a->absorb(*b).ok());
  b.reset();  // the absorbed engine goes away before the write; the names it owned must live on
  ASSERT_TRUE(a->write(dir_.path() / "threaded.txt").ok());
  EXPECT_EQ(read_file(dir_.path() / "threaded.txt").value(),
            read_file(reference(all, "--text", dir_.path() / "threaded-ref.txt")).value());
}

TEST_F(SampleMerge, SummaryCountsFunctionsAndSamples) {
  auto summary = llvm_merge::summarize_sample("sample_a.txt", read_file(kData / "sample_a.txt").value(), 2);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->format, ProfileFormat::SampleText);
  EXPECT_EQ(summary->functions, 3u);
  EXPECT_EQ(summary->total, 184019u + 20301u + 7711u);
  ASSERT_EQ(summary->hottest.size(), 2u);
  EXPECT_EQ(summary->hottest[0].name, "main");
  EXPECT_EQ(summary->hottest[0].count, 184019u);
  EXPECT_EQ(summary->hottest[1].name, "_Z3bari");
  EXPECT_TRUE(summary->build_ids.empty());
  auto bad = llvm_merge::summarize_sample("x.afdo", "SPROF42 nonsense", 2);
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace pgopipe
