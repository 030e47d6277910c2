// SPDX-License-Identifier: Apache-2.0
// pgopipe's profile overlap (what `pgopipe rebuild` compares with the published profile)
// against `llvm-profdata-19 overlap`'s "Edge profile overlap" on real .profdata files made by
// clang-19 builds of tests/data/llvm/pgo_prog.cpp run with different inputs.
#include <gtest/gtest.h>

#include <iostream>
#include <regex>

#include "core/fs.hpp"
#include "merger/llvm/overlap.hpp"
#include "tests/integration/merger_llvm/tool_runner.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;
using testing::run_tool;

const fs::path kSource = fs::path(PGOPIPE_TEST_DATA_DIR) / "pgo_prog.cpp";

struct Profiles {
  std::string skip_reason, error;
  ScratchDir dir{"pgopipe-overlap"};
  std::vector<fs::path> profdata;  // one per run, each merged by llvm-profdata
};

const Profiles& profiles() {
  static std::unique_ptr<Profiles> p = [] {
    auto out = std::make_unique<Profiles>();
    if (!testing::have_tool("clang-19") || !testing::have_tool("llvm-profdata-19")) {
      out->skip_reason = "clang-19 or llvm-profdata-19 not on PATH (scripts/install-deps.sh)";
      return out;
    }
    fs::path exe = out->dir.path() / "prog";
    for (const char* flag : {"-fprofile-generate"}) {
      auto built = run_tool("clang-19", {"--driver-mode=g++", flag, "-O1", kSource.string(), "-o", exe.string()});
      if (built.exit_code != 0) {
        out->error = "clang-19 failed: " + built.err;
        return out;
      }
    }
    const std::vector<std::vector<std::string>> runs = {
        {"30", "hello"}, {"100", "zquiz"}, {"31", "hello"}, {"250", "profile"}};
    for (size_t i = 0; i < runs.size(); ++i) {
      fs::path raw = out->dir.path() / ("run" + std::to_string(i) + ".profraw");
      fs::path data = out->dir.path() / ("run" + std::to_string(i) + ".profdata");
      auto ran = run_tool(exe.string(), runs[i], {{"LLVM_PROFILE_FILE", raw.string()}});
      auto merged = run_tool("llvm-profdata-19", {"merge", "-o", data.string(), raw.string()});
      if (ran.exit_code != 0 || merged.exit_code != 0) {
        out->error = "running or merging failed: " + ran.err + merged.err;
        return out;
      }
      out->profdata.push_back(data);
    }
    return out;
  }();
  return *p;
}

// llvm-profdata-19 overlap's "Edge profile overlap: 93.418%" as a fraction.
double reference_overlap(const fs::path& base, const fs::path& test) {
  auto r = run_tool("llvm-profdata-19", {"overlap", base.string(), test.string()});
  std::smatch m;
  std::regex re(R"(Edge profile overlap: ([0-9.]+)%)");
  EXPECT_TRUE(std::regex_search(r.out, m, re)) << r.out << r.err;
  return m.empty() ? -1 : std::stod(m[1].str()) / 100;
}

TEST(ProfileOverlap, MatchesLlvmProfdataOverlap) {
  const Profiles& p = profiles();
  if (!p.skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << p.skip_reason;
  ASSERT_TRUE(p.error.empty()) << p.error;
  int different = 0;
  for (size_t i = 1; i < p.profdata.size(); ++i) {
    auto ours = llvm_merge::profile_overlap(p.profdata[0], p.profdata[i]);
    ASSERT_TRUE(ours.ok()) << ours.error().message;
    double reference = reference_overlap(p.profdata[0], p.profdata[i]);
    std::cout << p.profdata[i].filename() << ": pgopipe " << *ours << ", llvm-profdata " << reference << "\n";
    EXPECT_NEAR(*ours, reference, 0.001) << p.profdata[i];
    if (*ours < 0.99) ++different;
  }
  EXPECT_GT(different, 0) << "the runs should give profiles of different shape";
}

TEST(ProfileOverlap, IdenticalProfilesOverlapFully) {
  const Profiles& p = profiles();
  if (!p.skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << p.skip_reason;
  ASSERT_TRUE(p.error.empty()) << p.error;
  auto same = llvm_merge::profile_overlap(p.profdata[0], p.profdata[0]);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_NEAR(*same, 1.0, 1e-9);
}

// llvm-profdata-19 overlap --sample's "Whole program profile similarity: 27.758%" as a fraction.
double reference_sample_similarity(const fs::path& base, const fs::path& test) {
  auto r = run_tool("llvm-profdata-19", {"overlap", "--sample", base.string(), test.string()});
  std::smatch m;
  std::regex re(R"(Whole program profile similarity: ([0-9.]+)%)");
  EXPECT_TRUE(std::regex_search(r.out, m, re)) << r.out << r.err;
  return m.empty() ? -1 : std::stod(m[1].str()) / 100;
}

TEST(ProfileOverlap, SampleProfilesMatchLlvmProfdataOverlap) {
  fs::path dir = fs::path(PGOPIPE_TEST_DATA_DIR);
  // a and b share two of three functions; d differs from a in blocks, inlinees (one nested
  // two deep, one at a new call site) and functions.
  const char* names[] = {"sample_a.txt", "sample_b.txt", "sample_d.txt"};
  for (const char* base : names) {
    for (const char* test : names) {
      auto ours = llvm_merge::profile_overlap(dir / base, dir / test);
      ASSERT_TRUE(ours.ok()) << ours.error().message;
      double reference = reference_sample_similarity(dir / base, dir / test);
      std::cout << base << " vs " << test << ": pgopipe " << *ours << ", llvm-profdata "
                << reference << "\n";
      EXPECT_NEAR(*ours, reference, 0.00001) << base << " vs " << test;
      if (std::string(base) == test) {
        EXPECT_NEAR(*ours, 1.0, 1e-9);
      } else {
        EXPECT_LT(*ours, 0.99) << "the fixtures differ in shape";
      }
    }
  }
}

TEST(ProfileOverlap, DifferentKindsAreAnInputError) {
  const Profiles& p = profiles();
  if (!p.skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << p.skip_reason;
  ASSERT_TRUE(p.error.empty()) << p.error;
  auto mixed = llvm_merge::profile_overlap(p.profdata[0], fs::path(PGOPIPE_TEST_DATA_DIR) / "sample_a.txt");
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, ErrorCode::Input);
  EXPECT_NE(mixed.error().message.find("sample_a.txt"), std::string::npos) << mixed.error().message;
}

TEST(ProfileOverlap, AForgedPublishedProfileIsAnInputErrorNamingTheField) {
  // The rebuild compares its profile with the published one from the store; LLVM reads both by
  // path, so their layouts are checked first, as in every other read.
  const Profiles& p = profiles();
  if (!p.skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << p.skip_reason;
  ASSERT_TRUE(p.error.empty()) << p.error;
  std::string forged = read_file(p.profdata[0]).value();
  for (int i = 0; i < 8; ++i) forged[32 + i] = static_cast<char>((uint64_t{1} << 40) >> (8 * i));  // HashOffset
  const fs::path published = p.dir.path() / "forged-published.profdata";
  ASSERT_TRUE(write_file_atomic(published, forged).ok());
  auto overlap = llvm_merge::profile_overlap(published, p.profdata[1]);
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().code, ErrorCode::Input);
  EXPECT_NE(overlap.error().message.find("forged-published.profdata"), std::string::npos) << overlap.error().message;
  EXPECT_NE(overlap.error().message.find("HashOffset"), std::string::npos) << overlap.error().message;
}

}  // namespace
}  // namespace pgopipe
