// SPDX-License-Identifier: Apache-2.0
// The instrumented-profile engine against clang-19 and llvm-profdata-19: real .profraw files
// from real runs, merged by pgopipe and by llvm-profdata, compared through `llvm-profdata show`.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <regex>
#include <thread>
#include <tuple>

#include "core/fs.hpp"
#include "merger/llvm/instr_engine.hpp"
#include "tests/integration/merger_llvm/tool_runner.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;
using testing::run_tool;

const char* kClang = "clang-19";
const char* kProfdata = "llvm-profdata-19";
const fs::path kSource = fs::path(PGOPIPE_TEST_DATA_DIR) / "pgo_prog.cpp";

// Built once per process: a front-end instrumented program, a variant build whose classify()
// has a different hash, and an IR-level build; each run a few times with different inputs.
struct Programs {
  std::string skip_reason;   // the tools are missing
  std::string setup_error;   // the tools are there but building or running failed
  ScratchDir dir{"pgopipe-llvm-instr"};
  std::vector<fs::path> raws;
  fs::path variant_raw;
  fs::path ir_raw;
};

std::string build_and_run(const Programs& p, const std::string& exe, std::vector<std::string> flags,
                          const std::vector<std::vector<std::string>>& runs,
                          std::vector<fs::path>& raws) {
  flags.insert(flags.end(), {"--driver-mode=g++", "-O1", "-Wl,--build-id", kSource.string(), "-o",
                             (p.dir.path() / exe).string()});
  auto built = run_tool(kClang, flags);
  if (built.exit_code != 0) return "building " + exe + " failed: " + built.err;
  for (size_t i = 0; i < runs.size(); ++i) {
    fs::path raw = p.dir.path() / (exe + "-" + std::to_string(i) + ".profraw");
    auto ran = run_tool((p.dir.path() / exe).string(), runs[i], {{"LLVM_PROFILE_FILE", raw.string()}});
    if (ran.exit_code != 0 || !fs::exists(raw)) return "running " + exe + " failed: " + ran.err;
    raws.push_back(raw);
  }
  return "";
}

const Programs& programs() {
  static std::unique_ptr<Programs> p = [] {
    auto out = std::make_unique<Programs>();
    if (!testing::have_tool(kClang) || !testing::have_tool(kProfdata)) {
      out->skip_reason = "clang-19 or llvm-profdata-19 not on PATH (scripts/install-deps.sh)";
      return out;
    }
    std::vector<fs::path> variant, ir;
    out->setup_error = build_and_run(*out, "prog", {"-fprofile-instr-generate"},
                                     {{"30", "hello"}, {"100", "zquiz"}, {"7", "aeiou"}, {"250", "profile"}},
                                     out->raws);
    if (out->setup_error.empty()) {
      out->setup_error = build_and_run(*out, "variant", {"-fprofile-instr-generate", "-DPGO_PROG_VARIANT"},
                                       {{"60", "variant"}}, variant);
    }
    if (out->setup_error.empty()) {
      out->setup_error = build_and_run(*out, "ir", {"-fprofile-generate"}, {{"20", "ir"}}, ir);
    }
    if (out->setup_error.empty()) {
      out->variant_raw = variant.at(0);
      out->ir_raw = ir.at(0);
    }
    return out;
  }();
  return *p;
}

#define REQUIRE_PROGRAMS()                                                               \
  const Programs& progs = programs();                                                    \
  if (!progs.skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << progs.skip_reason;     \
  ASSERT_TRUE(progs.setup_error.empty()) << progs.setup_error;                           \
  static_assert(true)

struct Weighted {
  fs::path file;
  uint64_t weight;
};

std::unique_ptr<merge::MergeEngine> new_engine(std::vector<std::string>* warnings = nullptr) {
  auto engine = llvm_merge::make_instr_engine(merge::MergeOptions{}, [warnings](const std::string& in, const std::string& msg) {
    if (warnings) warnings->push_back(in + ": " + msg);
  });
  EXPECT_TRUE(engine.ok());
  return std::move(*engine);
}

void add_all(merge::MergeEngine& engine, const std::vector<Weighted>& inputs) {
  for (const auto& in : inputs) {
    auto bytes = read_file(in.file);
    ASSERT_TRUE(bytes.ok());
    auto added = engine.add(in.file.string(), *bytes, static_cast<double>(in.weight));
    ASSERT_TRUE(added.ok()) << added.error().message;
  }
}

fs::path pgopipe_merge(const std::vector<Weighted>& inputs, const fs::path& out) {
  auto engine = new_engine();
  add_all(*engine, inputs);
  auto written = engine->write(out);
  EXPECT_TRUE(written.ok()) << (written.ok() ? "" : written.error().message);
  return out;
}

fs::path reference_merge(const std::vector<Weighted>& inputs, const fs::path& out) {
  std::vector<std::string> args{"merge", "-o", out.string()};
  for (const auto& in : inputs) args.push_back("-weighted-input=" + std::to_string(in.weight) + "," + in.file.string());
  auto r = run_tool(kProfdata, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

std::string show(const fs::path& profdata, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"show", "--all-functions", "--counts", "--ic-targets"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(profdata.string());
  auto r = run_tool(kProfdata, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

size_t occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

TEST(InstrMerge, WeightedMergeMatchesLlvmProfdata) {
  REQUIRE_PROGRAMS();
  std::vector<Weighted> inputs{{progs.raws[0], 1}, {progs.raws[1], 3}, {progs.raws[2], 1}, {progs.raws[3], 2}};
  auto ours = show(pgopipe_merge(inputs, progs.dir.path() / "ours.profdata"));
  auto theirs = show(reference_merge(inputs, progs.dir.path() / "ref.profdata"));
  EXPECT_EQ(ours, theirs);
  EXPECT_NE(ours.find("classify"), std::string::npos);
  EXPECT_NE(ours.find("Indirect Target Results"), std::string::npos);  // value profiles kept
  // Binary IDs are carried through.
  auto ids = show(progs.dir.path() / "ours.profdata", {"--binary-ids"});
  EXPECT_EQ(ids, show(progs.dir.path() / "ref.profdata", {"--binary-ids"}));
  auto raw_summary = llvm_merge::summarize_instr("raw", read_file(progs.raws[0]).value(), 3);
  ASSERT_TRUE(raw_summary.ok());
  ASSERT_EQ(raw_summary->build_ids.size(), 1u);
  EXPECT_NE(ids.find(raw_summary->build_ids[0]), std::string::npos);
}

TEST(InstrMerge, IndexedInputsAndTwoBuildsKeepEachHash) {
  REQUIRE_PROGRAMS();
  fs::path indexed = reference_merge({{progs.raws[0], 1}, {progs.raws[1], 1}}, progs.dir.path() / "in.profdata");
  std::vector<Weighted> inputs{{indexed, 2}, {progs.variant_raw, 5}, {progs.raws[2], 1}};
  fs::path merged = pgopipe_merge(inputs, progs.dir.path() / "builds.profdata");
  auto ours = show(merged);
  EXPECT_EQ(ours, show(reference_merge(inputs, progs.dir.path() / "builds-ref.profdata")));
  EXPECT_EQ(occurrences(ours, "classifyEi:"), 2u) << ours;  // one record per build's hash
  // clang uses the merged profile for both builds without out-of-date warnings.
  for (std::vector<std::string> variant : {std::vector<std::string>{}, {"-DPGO_PROG_VARIANT"}}) {
    std::vector<std::string> args{"--driver-mode=g++", "-O1", "-fprofile-instr-use=" + merged.string(),
                                  "-Werror=profile-instr-out-of-date", "-Werror=profile-instr-unprofiled",
                                  "-c", kSource.string(), "-o", (progs.dir.path() / "use.o").string()};
    args.insert(args.end(), variant.begin(), variant.end());
    auto r = run_tool(kClang, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("profile"), std::string::npos) << r.err;
  }
}

TEST(InstrMerge, BadRawProfilesAreNamedInputErrors) {
  REQUIRE_PROGRAMS();
  std::string good = read_file(progs.raws[0]).value();
  std::string corrupt = good, wrong_version = good;
  for (size_t i = 24; i < 32; ++i) corrupt[i] = '\x7f';  // NumData: far beyond the file
  wrong_version[8] = 9;                                   // raw version 9 instead of 10
  std::string sample = read_file(fs::path(PGOPIPE_TEST_DATA_DIR) / "sample_a.txt").value();
  std::vector<std::pair<std::string, std::string>> bad{
      {"truncated.profraw", good.substr(0, good.size() / 2)},
      {"corrupt.profraw", corrupt},
      {"empty.profraw", ""},
      {"wrong-version.profraw", wrong_version},
      {"sample_a.txt", sample},
  };
  auto engine = new_engine();
  for (const auto& [name, bytes] : bad) {
    auto added = engine->add(name, bytes, 1);
    ASSERT_FALSE(added.ok()) << name;
    EXPECT_EQ(added.error().code, ErrorCode::Input) << name;
    EXPECT_NE(added.error().message.find(name), std::string::npos) << added.error().message;
    std::cout << "  rejected: " << added.error().message << "\n";
  }
  auto sample_error = engine->add("s.txt", sample, 1);
  EXPECT_NE(sample_error.error().message.find("sample"), std::string::npos);
  // Failed inputs left no trace: the engine's result equals a merge of the good input only.
  ASSERT_TRUE(engine->add(progs.raws[0].string(), good, 1).ok());
  ASSERT_TRUE(engine->write(progs.dir.path() / "after-bad.profdata").ok());
  EXPECT_EQ(show(progs.dir.path() / "after-bad.profdata"),
            show(reference_merge({{progs.raws[0], 1}}, progs.dir.path() / "good-ref.profdata")));
}

TEST(InstrMerge, ConcatenatedRawProfilesMergeLikeLlvmProfdata) {
  // `cat a.profraw b.profraw` is a valid raw profile; LLVM's reader frees the first profile's
  // names when it reaches the second, so pgopipe keeps its own copies of every record's name.
  REQUIRE_PROGRAMS();
  const fs::path both = progs.dir.path() / "concatenated.profraw";
  ASSERT_TRUE(write_file_atomic(both, read_file(progs.raws[0]).value() + read_file(progs.raws[1]).value()).ok());
  const std::string ours = show(pgopipe_merge({{both, 1}}, progs.dir.path() / "concatenated.profdata"));
  EXPECT_EQ(ours, show(reference_merge({{both, 1}}, progs.dir.path() / "concatenated-ref.profdata")));
  EXPECT_EQ(ours, show(reference_merge({{progs.raws[0], 1}, {progs.raws[1], 1}}, progs.dir.path() / "pair-ref.profdata")));
}

TEST(InstrMerge, ForgedLayoutsAreNamedInputErrors) {
  // Sizes and offsets that LLVM's readers would follow outside the file (tests/fuzz/
  // fuzz_llvm_profiles.cpp found each): pgopipe names the field instead.
  REQUIRE_PROGRAMS();
  const std::string raw = read_file(progs.raws[0]).value();
  const std::string indexed = read_file(reference_merge({{progs.raws[0], 1}}, progs.dir.path() / "one.profdata")).value();
  auto with = [](std::string bytes, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<char>(v >> (8 * i));
    return bytes;
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> forged{
      {"vnames.profraw", with(raw, 8 * 14, uint64_t{1} << 62), "VNamesSize"},
      {"second.profraw", raw + with(raw, 8 * 9, uint64_t{1} << 40), "NamesSize"},
      {"hash.profdata", with(indexed, 32, uint64_t{1} << 40), "HashOffset"},
      {"ids.profdata", with(indexed, 48, 0), "binary IDs"},  // the magic as their size
  };
  auto engine = new_engine();
  for (const auto& [name, bytes, field] : forged) {
    auto added = engine->add(name, bytes, 1);
    ASSERT_FALSE(added.ok()) << name;
    EXPECT_EQ(added.error().code, ErrorCode::Input) << name;
    EXPECT_NE(added.error().message.find(name), std::string::npos) << added.error().message;
    EXPECT_NE(added.error().message.find(field), std::string::npos) << added.error().message;
    std::cout << "  rejected: " << added.error().message << "\n";
  }
}

TEST(InstrMerge, IrAndFrontEndProfilesDoNotMix) {
  REQUIRE_PROGRAMS();
  auto engine = new_engine();
  ASSERT_TRUE(engine->add("fe.profraw", read_file(progs.raws[0]).value(), 1).ok());
  auto mixed = engine->add("ir.profraw", read_file(progs.ir_raw).value(), 1);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, ErrorCode::Input);
  EXPECT_NE(mixed.error().message.find("ir.profraw"), std::string::npos) << mixed.error().message;
  EXPECT_NE(mixed.error().message.find("IR-level"), std::string::npos) << mixed.error().message;
}

TEST(InstrMerge, WorkersAbsorbedEqualOneEngine) {
  REQUIRE_PROGRAMS();
  std::vector<Weighted> all{{progs.raws[0], 2}, {progs.raws[1], 1}, {progs.variant_raw, 3},
                            {progs.raws[2], 1}, {progs.raws[3], 4}};
  auto a = new_engine(), b = new_engine();
  std::vector<Weighted> half_a(all.begin(), all.begin() + 2), half_b(all.begin() + 2, all.end());
  std::thread ta([&] { add_all(*a, half_a); });
  std::thread tb([&] { add_all(*b, half_b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a->absorb(*b).ok());
  ASSERT_TRUE(a->write(progs.dir.path() / "threaded.profdata").ok());
  auto threaded = show(progs.dir.path() / "threaded.profdata");
  EXPECT_EQ(threaded, show(pgopipe_merge(all, progs.dir.path() / "single.profdata")));
  EXPECT_EQ(threaded, show(reference_merge(all, progs.dir.path() / "threaded-ref.profdata")));
  EXPECT_EQ(show(progs.dir.path() / "threaded.profdata", {"--binary-ids"}),
            show(progs.dir.path() / "threaded-ref.profdata", {"--binary-ids"}));
}

TEST(InstrMerge, SummaryAgreesWithLlvmProfdata) {
  REQUIRE_PROGRAMS();
  fs::path merged = pgopipe_merge({{progs.raws[1], 1}, {progs.raws[3], 1}}, progs.dir.path() / "sum.profdata");
  auto summary = llvm_merge::summarize_instr("sum.profdata", read_file(merged).value(), 3);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->format, ProfileFormat::LlvmIndexed);
  auto r = run_tool(kProfdata, {"show", merged.string()});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("Total functions: (\\d+)"))) << r.out;
  EXPECT_EQ(summary->functions, std::stoull(m[1]));
  uint64_t max_count = 0;
  for (const char* what : {"Maximum function count: (\\d+)", "Maximum internal block count: (\\d+)"}) {
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(what))) << r.out;
    max_count = std::max<uint64_t>(max_count, std::stoull(m[1]));
  }
  ASSERT_EQ(summary->hottest.size(), 3u);
  EXPECT_EQ(summary->hottest[0].count, max_count);
  EXPECT_GE(summary->hottest[0].count, summary->hottest[2].count);
  EXPECT_GT(summary->total, max_count);
  EXPECT_EQ(summary->build_ids.size(), 1u);
}

TEST(InstrMerge, FailedWriteLeavesNothing) {
  REQUIRE_PROGRAMS();
  auto engine = new_engine();
  ASSERT_TRUE(engine->add("a", read_file(progs.raws[0]).value(), 1).ok());
  auto written = engine->write(progs.dir.path() / "missing-dir" / "out.profdata");
  ASSERT_FALSE(written.ok());
  EXPECT_FALSE(fs::exists(progs.dir.path() / "missing-dir"));
  EXPECT_FALSE(engine->add("a", "x", 1.5).ok());  // non-integral weights are refused
}

}  // namespace
}  // namespace pgopipe
