// SPDX-License-Identifier: Apache-2.0
// `pgopipe show PROFILE --against BINARY` on real clang-19 builds of two versions of one
// program. The old version's profiles are applied to the new source; clang's own verdicts are
// the oracle: its instrumented hash check ("of N functions, M have mismatched data") and its
// sample loader's staleness report (-mllvm -report-profile-staleness).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/fs.hpp"
#include "tests/integration/merger_llvm/tool_runner.hpp"

namespace fs = std::filesystem;
using pgopipe::testing::run_tool;
using pgopipe::testing::spit;

namespace {

// `kernel` and `steady` are in both versions; the new one edits `kernel` (a line inserted
// before its loop moves every inlined call site), keeps `steady` as it was, drops `retired`
// and adds `fresh`.
constexpr const char* kOld = R"(#include <stdlib.h>
static volatile int seen;
__attribute__((always_inline)) static inline int twice(int x) { seen = x; return 2 * x; }
__attribute__((always_inline)) static inline int plus1(int x) { seen = -x; return x + 1; }
__attribute__((noinline)) int kernel(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    s += twice(i);
    s ^= plus1(s);
  }
  return s;
}
__attribute__((noinline)) int steady(int n) {
  int s = 1;
  for (int i = 0; i < n; ++i)
    s = s * 3 + twice(i);
  return s;
}
__attribute__((noinline)) int retired(int n) { return n > 3 ? n * 7 : plus1(n); }
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  return (kernel(n) + steady(n) + retired(n)) & 1;
}
)";

constexpr const char* kNew = R"(#include <stdlib.h>
static volatile int seen;
__attribute__((always_inline)) static inline int twice(int x) { seen = x; return 2 * x; }
__attribute__((always_inline)) static inline int plus1(int x) { seen = -x; return x + 1; }
__attribute__((noinline)) int kernel(int n) {
  int s = 0;
  if (n < 0) return 0;
  for (int i = 0; i < n; ++i) {
    s += twice(i);
    s ^= plus1(s);
  }
  return s;
}
__attribute__((noinline)) int steady(int n) {
  int s = 1;
  for (int i = 0; i < n; ++i)
    s = s * 3 + twice(i);
  return s;
}
__attribute__((noinline)) int fresh(int n) { return n ^ 5; }
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  return (kernel(n) + steady(n) + fresh(n)) & 1;
}
)";

// A sample profile of the old build as pgopipe convert writes it (line offsets from each
// function's first line; kernel's inlined sites at offsets 3 and 4, steady's at 3), and of the
// new build (kernel's sites one line further down).
constexpr const char* kOldSamples = R"(kernel:9000:10
 1: 10
 2: 1000
 3: twice:3000
  0: 3000
 4: plus1:3000
  0: 3000
 6: 10
steady:4000:10
 1: 10
 2: 1000
 3: twice:2000
  0: 2000
 4: 10
retired:500:500
 0: 500
)";

constexpr const char* kNewSamples = R"(kernel:9000:10
 1: 10
 3: 1000
 4: twice:3000
  0: 3000
 5: plus1:3000
  0: 3000
 7: 10
steady:4000:10
 1: 10
 2: 1000
 3: twice:2000
  0: 2000
 4: 10
fresh:500:500
 0: 500
)";

class MatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<pgopipe::ScratchDir>("pgopipe-match");
    dir_ = scratch_->path();
    spit(dir_ / "old.c", kOld);
    spit(dir_ / "new.c", kNew);
    for (const char* v : {"old", "new"}) {
      std::string src = (dir_ / (std::string(v) + ".c")).string();
      compile({"-O2", "-fprofile-generate=" + (dir_ / (std::string("raw-") + v)).string(), src, "-o",
               path(std::string(v) + "-instr")});
      compile({"-O2", "-g", "-fdebug-info-for-profiling", src, "-o", path(std::string(v) + "-g")});
    }
    auto ran = run_tool(path("old-instr"), {"20000"});
    if (!error_.empty()) return;
    auto merge = run_tool("llvm-profdata-19", {"merge", "-o", path("old.profdata"), (dir_ / "raw-old").string()});
    if (merge.exit_code != 0) error_ = "llvm-profdata-19 merge failed: " + merge.err;
    spit(dir_ / "old.prof.txt", kOldSamples);
    spit(dir_ / "new.prof.txt", kNewSamples);
    (void)ran;  // exit status is the program's checksum bit
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  void SetUp() override { ASSERT_TRUE(error_.empty()) << error_; }

  static std::string path(const std::string& name) { return (dir_ / name).string(); }
  static void compile(std::vector<std::string> args) {
    auto r = run_tool("clang-19", args);
    if (r.exit_code != 0 && error_.empty()) error_ = "clang-19 failed: " + r.err;
  }

  // `pgopipe show PROFILE --against BINARY --json`'s "against" object.
  static nlohmann::json against(const std::string& profile, const std::string& binary) {
    auto r = run_tool(PGOPIPE_BIN, {"show", profile, "--against", binary, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j.is_discarded() ? nlohmann::json::object() : j["against"];
  }
  static std::string state_of(const nlohmann::json& a, const std::string& fn) {
    for (const auto& f : a["mismatched"])
      if (f["name"] == fn) return f["state"];
    return "matched";
  }

  static inline std::unique_ptr<pgopipe::ScratchDir> scratch_;
  static inline fs::path dir_;
  static inline std::string error_;
};

TEST_F(MatchTest, InstrumentedProfileMatchesByHashLikeClang) {
  auto a = against(path("old.profdata"), path("new-instr"));
  EXPECT_EQ(a["method"], "function hashes against the instrumented binary");
  EXPECT_EQ(state_of(a, "kernel"), "changed") << a.dump(2);
  EXPECT_EQ(state_of(a, "steady"), "matched") << a.dump(2);
  EXPECT_EQ(state_of(a, "main"), "matched") << a.dump(2);  // same CFG, different callee
  EXPECT_EQ(state_of(a, "retired"), "missing") << a.dump(2);
  EXPECT_GE(a["functions"].get<int>(), 4);

  // clang's hash check on the same profile and the new source drops exactly the changed ones.
  auto r = run_tool("clang-19", {"-O2", "-c", "-fprofile-use=" + path("old.profdata"), path("new.c"), "-o",
                                 path("new-pgo.o")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> dropped, changed;
  std::regex mismatch(R"(\(hash mismatch\) (\S+) Hash)");
  for (auto it = std::sregex_iterator(r.err.begin(), r.err.end(), mismatch); it != std::sregex_iterator(); ++it) {
    dropped.insert((*it)[1]);
  }
  for (const auto& f : a["mismatched"])
    if (f["state"] == "changed") changed.insert(f["name"]);
  EXPECT_EQ(dropped, changed) << r.err;
  EXPECT_EQ(dropped, std::set<std::string>{"kernel"}) << r.err;
}

TEST_F(MatchTest, AgainstAPlainBinaryOnlyNamesCanMatch) {
  auto a = against(path("old.profdata"), path("new-g"));
  EXPECT_NE(a["method"].get<std::string>().find("names only"), std::string::npos) << a.dump(2);
  EXPECT_EQ(state_of(a, "kernel"), "matched");
  EXPECT_EQ(state_of(a, "retired"), "missing");
}

TEST_F(MatchTest, StaleSampleProfileShowsTheMovedCallSitesClangSeesToo) {
  auto fresh = against(path("new.prof.txt"), path("new-g"));
  EXPECT_EQ(fresh["changed"], 0) << fresh.dump(2);
  EXPECT_EQ(fresh["missing"], 0) << fresh.dump(2);
  EXPECT_DOUBLE_EQ(fresh["matched_share"].get<double>(), 1.0);

  auto stale = against(path("old.prof.txt"), path("new-g"));
  EXPECT_EQ(state_of(stale, "kernel"), "changed") << stale.dump(2);
  EXPECT_EQ(state_of(stale, "steady"), "matched") << stale.dump(2);
  EXPECT_EQ(state_of(stale, "retired"), "missing") << stale.dump(2);
  EXPECT_NEAR(stale["matched_share"].get<double>(), 4000.0 / 13500.0, 1e-9);

  // The text output names the changed function and why.
  auto text = run_tool(PGOPIPE_BIN, {"show", path("old.prof.txt"), "--against", path("new-g")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("matches:    1 of 3 functions"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1 of 2 inlined call sites moved"), std::string::npos) << text.out;

  // clang's sample loader sees the stale call sites too, and none in the fresh profile.
  auto staleness = [&](const std::string& profile) {
    auto r = run_tool("clang-19", {"-O2", "-g", "-c", "-fprofile-sample-use=" + profile, path("new.c"), "-o",
                                   path("new-spgo.o"), "-mllvm", "-report-profile-staleness"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    return std::regex_search(r.err, m, std::regex(R"(\((\d+)/(\d+)\) of callsites' profile are invalid)"))
               ? std::stoi(m[1])
               : 0;
  };
  EXPECT_GT(staleness(path("old.prof.txt")), 0);
  EXPECT_EQ(staleness(path("new.prof.txt")), 0);
}

TEST_F(MatchTest, ErrorsNameTheFile) {
  auto r = run_tool(PGOPIPE_BIN, {"show", path("old.prof.txt"), "--against", path("new.c")});
  EXPECT_EQ(r.exit_code, 4) << r.err;  // Input
  EXPECT_NE(r.err.find(path("new.c")), std::string::npos) << r.err;
  auto stripped = run_tool("llvm-objcopy-19", {"--strip-debug", path("new-g"), path("new-stripped")});
  ASSERT_EQ(stripped.exit_code, 0) << stripped.err;
  r = run_tool(PGOPIPE_BIN, {"show", path("old.prof.txt"), "--against", path("new-stripped")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("new-stripped"), std::string::npos) << r.err;
}

}  // namespace
