// SPDX-License-Identifier: Apache-2.0
// `pgopipe collect perf` on a program with a known hot function: the stored pprof is read by
// `go tool pprof` and its hottest function is that function.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <sstream>
#include <thread>
#include <algorithm>

#include "core/fs.hpp"
#include "core/store/store.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace pgopipe;

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Outcome run(const std::string& exe, const std::vector<std::string>& args, const fs::path& dir) {
  fs::path out = dir / "run.out", err = dir / "run.err";
  bp::child c(exe, bp::args(args), bp::std_out > out.string(), bp::std_err > err.string(),
              bp::std_in < bp::null, bp::start_dir(dir.string()));
  c.wait();
  return Outcome{c.exit_code(), read_file(out).value(), read_file(err).value()};
}

class PerfSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (bp::search_path("perf").empty()) GTEST_SKIP() << "SKIPPED: perf is not installed (linux-perf)";
    dir_ = fs::temp_directory_path() / ("pgopipe-perf-test-" + random_hex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  Outcome collect(std::vector<std::string> args) {
    std::vector<std::string> all{"collect", "perf", "--app", "t", "--store", (dir_ / "store").string(),
                                 "--spool-dir", (dir_ / "spool").string()};
    all.insert(all.end(), args.begin(), args.end());
    return run(PGOPIPE_EXE, all, dir_);
  }
  std::vector<store::StoredObject> objects(const std::string& app = "t") {
    auto store = store::open_store((dir_ / "store").string(), {});
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    store::Query q;
    q.app = app;
    q.window = {now() - std::chrono::hours{1}, now() + std::chrono::hours{1}};
    auto list = (*store)->list(q);
    EXPECT_TRUE(list.ok());
    if (!list.ok()) return {};
    std::sort(list->begin(), list->end(), [](const auto& a, const auto& b) {
      return a.meta.collected_at < b.meta.collected_at;
    });
    return *list;
  }
  fs::path dir_;
};

TEST_F(PerfSamplerTest, HottestFunctionIsTheKnownHotFunction) {
  if (std::string(GO_EXE).empty()) GTEST_SKIP() << "SKIPPED: go is not installed, no go tool pprof to check with";
  TimePoint before = now();
  // A private copy of the program, removed before go tool pprof runs: names must come from
  // the profile, not from symbolizing a binary found at the mapping's path.
  fs::path hot = dir_ / "hot";
  fs::copy_file(HOT_EXE, hot);
  Outcome r = collect({"--duration", "2s", "--count", "1", "--label", "env=test", "--", hot.string(), "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto store = store::open_store((dir_ / "store").string(), {});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto list = objects();
  ASSERT_EQ(list.size(), 1u) << r.err;
  const store::StoredObject& o = list.front();
  EXPECT_EQ(o.meta.format, ProfileFormat::PprofGzip);
  EXPECT_EQ(o.meta.labels.at("env"), "test");
  EXPECT_GE(o.meta.collected_at, before);
  EXPECT_GT(o.meta.duration, std::chrono::seconds{1});
  EXPECT_LE(o.meta.duration, std::chrono::seconds{2});
  EXPECT_FALSE(o.meta.host.empty());
  EXPECT_EQ(o.meta.build_id.size(), 40u) << "build ID of the hot binary expected";

  auto bytes = (*store)->get(o.key);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  fs::remove(hot);
  fs::path pb = dir_ / "profile.pb.gz";
  ASSERT_TRUE(write_file_atomic(pb, bytes->bytes).ok());
  // No binary next to the profile: names must come from the profile itself.
  Outcome top = run(GO_EXE, {"tool", "pprof", "-top", pb.string()}, dir_);
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("Build ID: " + o.meta.build_id), std::string::npos) << top.out;
  // The first row after the column header is the hottest function by flat time.
  std::istringstream lines(top.out);
  std::string line, hottest;
  bool header = false;
  while (std::getline(lines, line)) {
    if (header) {
      hottest = line;
      break;
    }
    if (line.find("flat%") != std::string::npos) header = true;
  }
  ASSERT_FALSE(hottest.empty()) << top.out;
  EXPECT_TRUE(hottest.ends_with(" hot_loop")) << top.out;
}

// --pid on a running process: one object per recording, --interval apart.
TEST_F(PerfSamplerTest, PidModeRecordsEveryInterval) {
  // Runs far longer than the two recordings need (it is killed below): under ASan on a busy
  // machine the sampler took over 6 s, and the target exiting on its own failed the check.
  bp::child hot(HOT_EXE, "60", bp::std_out > bp::null);
  Outcome r = collect({"--duration", "1s", "--interval", "1500ms", "--count", "2", "--pid",
                   std::to_string(hot.id())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(hot.running()) << "the sampler must leave a --pid target running";
  ::kill(hot.id(), SIGTERM);
  hot.wait();
  auto list = objects();
  ASSERT_EQ(list.size(), 2u) << r.err;
  EXPECT_GE(list[1].meta.collected_at - list[0].meta.collected_at, std::chrono::milliseconds{1400});
}

// The target ending (or SIGTERM) cuts the recording short; that partial profile still arrives.
TEST_F(PerfSamplerTest, TargetExitAndSigtermDeliverThePartialProfile) {
  auto t0 = std::chrono::steady_clock::now();
  Outcome r = collect({"--duration", "20s", "--", HOT_EXE, "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{10});
  ASSERT_EQ(objects().size(), 1u) << r.err;

  fs::path err = dir_ / "sig.err";
  std::vector<std::string> args{"collect", "perf", "--app", "u", "--store", (dir_ / "store").string(),
                                "--spool-dir", (dir_ / "spool").string(), "--duration", "20s",
                                "--", HOT_EXE, "30"};
  t0 = std::chrono::steady_clock::now();
  bp::child c(PGOPIPE_EXE, bp::args(args), bp::std_out > bp::null, bp::std_err > err.string());
  std::this_thread::sleep_for(std::chrono::seconds{3});
  ::kill(c.id(), SIGTERM);
  c.wait();
  EXPECT_EQ(c.exit_code(), 0) << read_file(err).value();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{10});
  EXPECT_EQ(objects("u").size(), 1u) << read_file(err).value();
}

TEST_F(PerfSamplerTest, MissingPidIsAClearError) {
  Outcome r = collect({"--duration", "1s", "--count", "1", "--pid", "999999999"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("target pid 999999999 not found"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "store" / "t"));
}

TEST_F(PerfSamplerTest, PerfMissingFromPathIsAClearError) {
  fs::path err = dir_ / "nopath.err";
  bp::child c(PGOPIPE_EXE, bp::args({"collect", "perf", "--app", "t", "--store", (dir_ / "store").string(),
                                     "--spool-dir", (dir_ / "spool").string(), "--", HOT_EXE, "1"}),
              bp::env["PATH"] = "/nonexistent", bp::std_out > bp::null, bp::std_err > err.string());
  c.wait();
  EXPECT_NE(c.exit_code(), 0);
  EXPECT_NE(read_file(err).value().find("perf not found: install linux-perf"), std::string::npos)
      << read_file(err).value();
}

// An unprivileged user may not sample another user's process: the message names the setting.
TEST_F(PerfSamplerTest, NotPermittedNamesPerfEventParanoid) {
  auto setpriv = bp::search_path("setpriv");
  if (::geteuid() != 0 || setpriv.empty()) GTEST_SKIP() << "SKIPPED: needs root and setpriv to drop to nobody";
  fs::permissions(dir_, fs::perms::all);
  Outcome r = run(setpriv.string(), {"--reuid=65534", "--regid=65534", "--clear-groups", PGOPIPE_EXE,
                                 "collect", "perf", "--app", "t", "--store", (dir_ / "store").string(),
                                 "--spool-dir", (dir_ / "spool").string(), "--duration", "1s",
                                 "--count", "1", "--pid", "1"}, dir_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("perf_event_paranoid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not permitted"), std::string::npos) << r.err;
}

TEST_F(PerfSamplerTest, PidOrCommandIsRequired) {
  Outcome r = collect({"--duration", "1s"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--pid PID or -- CMD"), std::string::npos) << r.err;
}

}  // namespace
