// SPDX-License-Identifier: Apache-2.0
// The pprof merge engine against `go tool pprof -proto` on real Go CPU profiles: per-function
// flat/cum totals and label totals agree exactly, weights scale them, `go build -pgo` uses
// the result (go version -m, the compiler's PGO decisions equal those from the peer's merge),
// and a CPU profile does not merge with a heap profile.
#include <gtest/gtest.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "merger/pprof/pprof_engine.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace pgopipe;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

fs::path g_dir;                     // scratch directory of this run
std::vector<fs::path> g_cpu;        // real CPU profiles
fs::path g_heap;                    // a real heap profile
std::string g_skip_reason;          // `go` is not installed (the only reason to skip)
std::string g_setup_error;          // go is there but building or profiling failed: a failure

// Runs a program (no shell) with a time limit; stdout/stderr captured through files.
Run run(const std::vector<std::string>& argv, const fs::path& cwd = {}, int timeout_s = 300) {
  Run r;
  auto exe = argv[0].find('/') == std::string::npos ? bp::search_path(argv[0]) : boost::filesystem::path(argv[0]);
  if (exe.empty()) {
    r.err = argv[0] + ": not found on PATH";
    return r;
  }
  fs::path out = g_dir / "out.txt", err = g_dir / "err.txt";
  bp::environment env = boost::this_process::environment();
  env["GOTOOLCHAIN"] = "local";
  bp::child c(exe, std::vector<std::string>(argv.begin() + 1, argv.end()), bp::env = env,
              bp::start_dir = (cwd.empty() ? g_dir : cwd).string(), bp::std_out > out.string(),
              bp::std_err > err.string(), bp::std_in < bp::null);
  if (!c.wait_for(std::chrono::seconds(timeout_s))) {
    c.terminate();
    r.err = "timed out";
    return r;
  }
  r.code = c.exit_code();
  r.out = read_file(out).value();
  r.err = read_file(err).value();
  return r;
}

class GoToolchain : public ::testing::Environment {
 public:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchDir>("pgopipe-pprof-it");
    g_dir = scratch_->path();
    if (bp::search_path("go").empty()) {
      g_skip_reason = "go is not installed (scripts/test.sh installs Go >= 1.21)";
      return;
    }
    auto built = run({"go", "build", "-o", (g_dir / "cpuburn").string(), "."}, CPUBURN_DIR);
    if (built.code != 0) {
      g_setup_error = "cannot build the Go test program with the machine's go: " + built.err;
      return;
    }
    for (int seed = 1; seed <= 3; ++seed) {
      fs::path p = g_dir / ("cpu" + std::to_string(seed) + ".pb.gz");
      auto r = run({(g_dir / "cpuburn").string(), "-cpuprofile", p.string(), "-duration", "1200ms",
                    "-seed", std::to_string(seed)});
      if (r.code != 0) g_setup_error = "cpuburn failed: " + r.err;
      g_cpu.push_back(p);
    }
    g_heap = g_dir / "heap.pb.gz";
    auto r = run({(g_dir / "cpuburn").string(), "-heapprofile", g_heap.string(), "-duration", "100ms"});
    if (r.code != 0) g_setup_error = "cpuburn -heapprofile failed: " + r.err;
  }
  void TearDown() override { scratch_.reset(); }

 private:
  std::unique_ptr<ScratchDir> scratch_;
};

const auto* const g_env = ::testing::AddGlobalTestEnvironment(new GoToolchain);

#define REQUIRE_GO()                                                                  \
  do {                                                                                \
    if (!g_skip_reason.empty()) GTEST_SKIP() << "SKIPPED: " << g_skip_reason;         \
    ASSERT_TRUE(g_setup_error.empty()) << "the Go part could not run: " << g_setup_error; \
  } while (0)

// Merges files with the engine (weights per file) into `out`.
Result<void> merge(const std::vector<std::pair<fs::path, double>>& inputs, const fs::path& out) {
  PGO_TRY_ASSIGN(auto engine, pprof_merge::make_pprof_engine(merge::MergeOptions{}, nullptr));
  for (const auto& [path, weight] : inputs) {
    PGO_TRY_ASSIGN(std::string bytes, read_file(path));
    PGO_TRY(engine->add(path.string(), bytes, weight));
  }
  return engine->write(out);
}

// `go tool pprof -top` rows as function -> "flat cum" (sum% depends on tie order; dropped).
std::map<std::string, std::string> top(const fs::path& profile, int sample_index) {
  auto r = run({"go", "tool", "pprof", "-top", "-nodecount=1000000", "-sample_index=" + std::to_string(sample_index),
                "-unit=minimum", profile.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  std::map<std::string, std::string> rows;
  std::istringstream in(r.out);
  bool table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.find("flat%") != std::string::npos) {
      table = true;
      continue;
    }
    if (line.rfind("Duration:", 0) == 0) rows["<header>"] = line;
    if (!table) continue;
    std::istringstream f(line);
    std::string flat, flat_pct, sum_pct, cum, cum_pct, name, rest;
    f >> flat >> flat_pct >> sum_pct >> cum >> cum_pct;
    std::getline(f, name);
    rows[name] = flat + " " + cum;
  }
  EXPECT_GT(rows.size(), 5u) << r.out << r.err;
  return rows;
}

TEST(PprofIntegration, MatchesGoToolPprofPerFunctionAndLabel) {
  REQUIRE_GO();
  fs::path ours = g_dir / "ours.pb.gz", ref = g_dir / "ref.pb.gz";
  auto merged = merge({{g_cpu[0], 1.0}, {g_cpu[1], 1.0}, {g_cpu[2], 1.0}}, ours);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  auto r = run({"go", "tool", "pprof", "-proto", g_cpu[0].string(), g_cpu[1].string(), g_cpu[2].string()});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(write_file_atomic(ref, r.out).ok());
  for (int index : {0, 1}) EXPECT_EQ(top(ours, index), top(ref, index)) << "sample_index=" << index;
  auto tags_ours = run({"go", "tool", "pprof", "-tags", ours.string()});
  auto tags_ref = run({"go", "tool", "pprof", "-tags", ref.string()});
  EXPECT_NE(tags_ours.out.find("work:"), std::string::npos) << tags_ours.out << tags_ours.err;
  EXPECT_EQ(tags_ours.out, tags_ref.out);
}

// The sample lines of `go tool pprof -raw`: "v0 v1: location ids".
std::vector<std::string> raw_samples(const fs::path& profile) {
  auto r = run({"go", "tool", "pprof", "-raw", profile.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  bool samples = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Samples:", 0) == 0) samples = true;
    else if (line.rfind("Locations", 0) == 0) break;
    else if (samples && line.find(':') != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(PprofIntegration, WeightTwoDoublesEveryValue) {
  REQUIRE_GO();
  fs::path once = g_dir / "once.pb.gz", twice = g_dir / "twice.pb.gz";
  ASSERT_TRUE(merge({{g_cpu[0], 1.0}, {g_cpu[1], 1.0}}, once).ok());
  ASSERT_TRUE(merge({{g_cpu[0], 2.0}, {g_cpu[1], 2.0}}, twice).ok());
  auto a = raw_samples(once), b = raw_samples(twice);
  ASSERT_GT(a.size(), 10u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    long count = 0, nanos = 0, count2 = 0, nanos2 = 0;
    std::string stack, stack2;
    std::istringstream sa(a[i]), sb(b[i]);
    sa >> count >> nanos;
    sb >> count2 >> nanos2;
    std::getline(sa, stack);
    std::getline(sb, stack2);
    EXPECT_EQ(stack2, stack) << i;
    EXPECT_EQ(count2, 2 * count) << a[i] << " vs " << b[i];
    EXPECT_EQ(nanos2, 2 * nanos) << a[i] << " vs " << b[i];
  }
}

// The compiler's PGO lines (-d=pgodebug=1: the hot call-site threshold it derived from the
// profile's call graph, and each inlining decision it took from it) of `go build -pgo=profile`.
std::vector<std::string> pgo_decisions(const fs::path& profile, const fs::path& exe) {
  auto r = run({"go", "build", "-pgo=" + profile.string(), "-gcflags=pgopipe.test/cpuburn=-d=pgodebug=1",
                "-o", exe.string(), "."},
               CPUBURN_DIR, 500);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line);) {
    if (line.find("hot-") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(PprofIntegration, GoBuildPgoUsesTheMergedProfileLikeGoToolPprofs) {
  REQUIRE_GO();
  fs::path merged = g_dir / "default.pgo", ref = g_dir / "ref.pgo";
  ASSERT_TRUE(merge({{g_cpu[0], 1.0}, {g_cpu[1], 1.0}, {g_cpu[2], 1.0}}, merged).ok());
  auto peer = run({"go", "tool", "pprof", "-proto", "-output", ref.string(), g_cpu[0].string(),
                   g_cpu[1].string(), g_cpu[2].string()});
  ASSERT_EQ(peer.code, 0) << peer.err;
  auto ours = pgo_decisions(merged, g_dir / "cpuburn-pgo");
  // The binary records the profile it was built with (`go version -m`).
  auto version = run({"go", "version", "-m", (g_dir / "cpuburn-pgo").string()});
  ASSERT_EQ(version.code, 0) << version.err;
  EXPECT_NE(version.out.find("-pgo=" + merged.string()), std::string::npos) << version.out;
  // The compiler read a call graph from it: a threshold line (only printed with a profile).
  bool threshold = false;
  for (const auto& line : ours) threshold |= line.rfind("hot-callsite-thres-from-CDF=", 0) == 0;
  EXPECT_TRUE(threshold) << ::testing::PrintToString(ours);
  // And it decided exactly as with the peer's merge of the same profiles.
  EXPECT_EQ(ours, pgo_decisions(ref, g_dir / "cpuburn-ref"));
}

TEST(PprofIntegration, CpuWithHeapIsAClearError) {
  REQUIRE_GO();
  fs::path out = g_dir / "mixed.pb.gz";
  auto r = merge({{g_cpu[0], 1.0}, {g_heap, 1.0}}, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find(g_heap.string()), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("incompatible sample types"), std::string::npos);
  EXPECT_NE(r.error().message.find("cpu/nanoseconds"), std::string::npos);
  EXPECT_NE(r.error().message.find("inuse_space/bytes"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST(PprofIntegration, DamagedRealProfilesGiveNamedErrorsAndNoOutput) {
  REQUIRE_GO();
  std::string real = read_file(g_cpu[0]).value();
  std::string corrupt = real;
  for (size_t i = 20; i < corrupt.size() - 8; i += 7) corrupt[i] = static_cast<char>(corrupt[i] ^ 0xa5);
  std::string bomb = pprof::gzip(std::string(size_t{3} << 30 >> 2, '\0'), 9).value();  // 768 MiB of zeros
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"zero-byte.pb.gz", ""},
      {"truncated.pb.gz", real.substr(0, real.size() * 2 / 3)},
      {"corrupt.pb.gz", corrupt},
      {"bomb.pb.gz", bomb},
  };
  for (const auto& [name, bytes] : cases) {
    fs::path in = g_dir / name, out = g_dir / ("out-" + name);
    ASSERT_TRUE(write_file_atomic(in, bytes).ok());
    merge::MergeOptions o;
    o.limits.max_decompressed_bytes = 256u << 20;
    auto engine = std::move(pprof_merge::make_pprof_engine(o, nullptr).value());
    auto start = std::chrono::steady_clock::now();
    auto r = engine->add(in.string(), read_file(in).value(), 1.0);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << name;
    EXPECT_EQ(r.error().code, ErrorCode::Input) << r.error().message;
    EXPECT_NE(r.error().message.find(in.string()), std::string::npos) << r.error().message;
    EXPECT_FALSE(engine->write(out).ok());
    EXPECT_FALSE(fs::exists(out)) << name;
  }
}

TEST(PprofIntegration, UncompressedOutputReadsInGoToolPprof) {
  REQUIRE_GO();
  merge::MergeOptions o;
  o.output_format = ProfileFormat::Pprof;
  auto engine = std::move(pprof_merge::make_pprof_engine(o, nullptr).value());
  ASSERT_TRUE(engine->add("cpu1", read_file(g_cpu[0]).value(), 1.0).ok());
  fs::path out = g_dir / "plain.pb";
  ASSERT_TRUE(engine->write(out).ok());
  EXPECT_NE(read_file(out).value().substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(top(out, 0), top(g_cpu[0], 0));
}

}  // namespace
