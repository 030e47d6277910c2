// SPDX-License-Identifier: Apache-2.0
// Value profiles in every interval: a program with virtual calls, a function-pointer table
// and memcpy of varying sizes uploads at least four intervals through the in-process
// collector (local store and moto S3); merged by llvm-profdata-19 they show the same
// indirect-call targets and memop sizes as the end-of-run profile, with and without a SIGTERM
// in the middle of an interval. Past compiler-rt's per-site cap no count goes negative or
// exceeds the calls that really happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/process.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/fs.hpp"
#include "core/store/store.hpp"
#include "tests/support/profdata_show.hpp"
#include "tests/support/s3_server.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace pgopipe;
using namespace std::chrono_literals;

namespace {

test::S3Server* s3_server() {
  static auto server = test::S3Server::start();
  return server ? server->get() : nullptr;
}

std::string profdata(const std::vector<std::string>& args) {
  bp::ipstream out;
  bp::child c(LLVM_PROFDATA, bp::args(args), bp::std_out > out, bp::std_err > bp::null);
  std::stringstream ss;
  ss << out.rdbuf();
  c.wait();
  EXPECT_EQ(c.exit_code(), 0) << "llvm-profdata-19 " << args.front() << " failed";
  return ss.str();
}

class ValuesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgopipe-values-" + random_hex(6));
    fs::create_directories(dir_);
    store_url_ = (dir_ / "store").string();
    if (GetParam() == "s3") {
      ASSERT_TRUE(s3_server()) << "no S3 test server: " << test::S3Server::start().error().message;
      store_url_ = s3_server()->store_url("values-" + random_hex(4));
      for (const auto& [k, v] : s3_server()->client_env()) ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  bp::environment env(bool collect, const fs::path& end_profile) {
    bp::environment e = boost::this_process::environment();
    if (GetParam() == "s3") {
      for (const auto& [k, v] : s3_server()->client_env()) e[k] = v;
    }
    if (collect) {
      e["PGOPIPE_STORE"] = store_url_;
      e["PGOPIPE_APP"] = "values";
      e["PGOPIPE_INTERVAL"] = "1s";
      e["PGOPIPE_SPOOL_DIR"] = (dir_ / "spool").string();
    } else {
      e.erase("PGOPIPE_STORE");
    }
    e["LLVM_PROFILE_FILE"] = end_profile.string();
    return e;
  }

  // Runs `values ROUNDS 100 [extra]`; with `sigterm`, sends SIGTERM 150 ms after "done"
  // instead of letting it exit. Returns the wait status.
  int run(bp::environment e, const std::string& rounds, bool sigterm, const std::string& extra = "") {
    std::vector<std::string> args{rounds, "100"};
    if (!extra.empty()) args.push_back(extra);
    bp::ipstream out;
    bp::opstream in;
    bp::child c(VALUES_EXE, bp::args(args), bp::env = e, bp::std_out > out,
                bp::std_err > (dir_ / "stderr.txt").string(), bp::std_in < in);
    std::string line;
    std::getline(out, line);
    EXPECT_EQ(line, "done");
    if (sigterm) {
      std::this_thread::sleep_for(150ms);
      ::kill(c.id(), SIGTERM);
    } else {
      in.pipe().close();
    }
    c.wait();
    auto err = read_file(dir_ / "stderr.txt");
    err_ = err ? *err : std::string{};
    return c.native_exit_code();
  }

  // Every uploaded interval, merged into one indexed profile.
  fs::path merge_uploads(size_t min_objects) {
    store::StoreOptions o;
    if (GetParam() == "s3") o.s3.endpoint = s3_server()->endpoint();
    auto store = store::open_store(store_url_, o);
    EXPECT_TRUE(store.ok()) << store.error().message;
    store::Query q;
    q.app = "values";
    q.window = {now() - std::chrono::hours{1}, now() + std::chrono::hours{1}};
    auto objs = (*store)->list(q);
    EXPECT_TRUE(objs.ok()) << objs.error().message;
    EXPECT_GE(objs->size(), min_objects) << err_;
    std::vector<std::string> args{"merge", "-o", (dir_ / "merged.profdata").string()};
    for (size_t i = 0; i < objs->size(); ++i) {
      auto blob = (*store)->get((*objs)[i].key);
      EXPECT_TRUE(blob.ok()) << blob.error().message;
      fs::path f = dir_ / fmt::format("interval-{}.profraw", i);
      EXPECT_TRUE(write_file_atomic(f, blob->bytes).ok());
      args.push_back(f.string());
    }
    profdata(args);
    return dir_ / "merged.profdata";
  }

  static std::map<std::string, std::multiset<std::string>> show_values(const fs::path& profile) {
    return test::show_blocks(profdata({"show", "--all-functions", "--counts", "--ic-targets",
                               "--memop-sizes", profile.string()}));
  }

  // Indexes the end-of-run raw profile too, so both sides print the same way.
  fs::path index(const fs::path& raw) {
    fs::path out = dir_ / (raw.stem().string() + ".profdata");
    profdata({"merge", "-o", out.string(), raw.string()});
    return out;
  }

  // The merged intervals show exactly what the end-of-run profile shows, value sites included.
  void expect_same_values(const fs::path& merged, const fs::path& end) {
    auto m = show_values(merged);
    auto e = show_values(index(end));
    ASSERT_GE(e.size(), 8u);
    int ic_functions = 0, memop_functions = 0, values = 0;
    for (const auto& [name, body] : e) {
      for (const auto& line : body) {
        if (line.find("Indirect Call Site Count: ") != std::string::npos &&
            !line.ends_with(": 0")) {
          ++ic_functions;
        }
        if (line.find("Number of Memory Intrinsics Calls: ") != std::string::npos &&
            !line.ends_with(": 0")) {
          ++memop_functions;
        }
        if (line.starts_with("\t[")) ++values;  // one target or size with its count
      }
    }
    EXPECT_GE(ic_functions, 2) << "virtual and function-pointer calls";
    EXPECT_GE(memop_functions, 1) << "memcpy";
    EXPECT_GE(values, 5 + 4 + 7) << "5 shapes, 4 operations, 7 memcpy size ranges";
    EXPECT_EQ(m, e);
  }

  fs::path dir_;
  std::string store_url_, err_;
};

TEST_P(ValuesTest, IntervalsCarryTheEndOfRunValueProfiles) {
  int status = run(env(true, dir_ / "end.profraw"), "45", false);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err_;
  EXPECT_EQ(err_.find("not collected"), std::string::npos) << err_;
  expect_same_values(merge_uploads(4), dir_ / "end.profraw");
}

TEST_P(ValuesTest, SigtermMidIntervalKeepsTheValueProfiles) {
  int status = run(env(true, dir_ / "never.profraw"), "45", true);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << err_;
  EXPECT_NE(err_.find("SIGTERM"), std::string::npos) << err_;
  // The runtime creates its file empty at start and writes it only at a normal exit.
  EXPECT_TRUE(!fs::exists(dir_ / "never.profraw") || fs::file_size(dir_ / "never.profraw") == 0)
      << "killed: no end-of-run profile";
  fs::path merged = merge_uploads(4);
  // The program's work is deterministic: a second run that exits normally is the reference.
  status = run(env(false, dir_ / "reference.profraw"), "45", false);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err_;
  expect_same_values(merged, dir_ / "reference.profraw");
}

// Per function: its first block count (for a function with one counter, as each wide<N>
// has, its entry count) and its indirect-call targets (name -> count).
struct Shown {
  uint64_t entry = 0;
  std::map<std::string, uint64_t> targets;
};
std::map<std::string, Shown> parse_targets(const std::string& show) {
  std::map<std::string, Shown> out;
  static const std::regex fn(R"(^  (\S+):$)"), entry(R"(Block counts: \[(\d+))"),
      target(R"(\[\s*\d+,\s*(\S+),\s*(\d+)\s*\])");
  std::istringstream in(show);
  std::string line, current;
  std::smatch m;
  bool in_targets = false;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, fn)) {
      current = m[1];
      out[current];
      in_targets = false;
    } else if (std::regex_search(line, m, entry)) {
      out[current].entry = std::stoull(m[1]);
    } else if (line.find("Indirect Target Results") != std::string::npos) {
      in_targets = true;
    } else if (line.find("Results") != std::string::npos) {
      in_targets = false;
    } else if (in_targets && std::regex_search(line, m, target)) {
      out[current].targets[m[1]] += std::stoull(m[2]);
    }
  }
  return out;
}

TEST_P(ValuesTest, PastTheCapCountsNeverGoNegativeNorExceedTheCalls) {
  bp::environment e = env(true, dir_ / "end.profraw");
  e["LLVM_VP_MAX_NUM_VALS_PER_SITE"] = "4";  // 12 targets at the wide site: evictions
  int status = run(e, "45", false, "wide");
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << err_;
  auto merged = parse_targets(profdata({"show", "--all-functions", "--counts", "--ic-targets",
                                        merge_uploads(4).string()}));
  auto end = parse_targets(profdata({"show", "--all-functions", "--counts", "--ic-targets",
                                     index(dir_ / "end.profraw").string()}));
  auto site_of = [](const std::map<std::string, Shown>& profile) -> const Shown* {
    for (const auto& [name, f] : profile) {
      if (name.find("wide_round") != std::string::npos) return &f;
    }
    return nullptr;
  };
  const Shown* site = site_of(merged);
  const Shown* end_site = site_of(end);
  ASSERT_TRUE(site && end_site);
  uint64_t calls = 0, site_total = 0, end_total = 0;
  for (const auto& [name, f] : merged) {
    if (name.find("wideILi") != std::string::npos) calls += f.entry;
  }
  EXPECT_EQ(calls, 45u * 600) << "the wide site's targets were entered once per call";
  EXPECT_LE(end_site->targets.size(), 4u) << "the runtime kept at most its cap of targets";
  for (const auto& [target, count] : end_site->targets) end_total += count;
  EXPECT_LT(end_total, calls) << "the cap made the runtime's own profile lose counts";
  for (const auto& [target, count] : site->targets) {
    ASSERT_TRUE(merged.contains(target)) << target;
    EXPECT_LT(count, uint64_t{1} << 62) << target << ": a negative count wrapped around";
    EXPECT_LE(count, merged.at(target).entry) << target << " counted more often than called";
    EXPECT_EQ(merged.at(target).entry, end.at(target).entry) << "block counts stay exact";
    site_total += count;
  }
  EXPECT_LE(site_total, calls);
  // A value's merged count is the sum of its increases, never less than its final count.
  for (const auto& [target, count] : end_site->targets) {
    EXPECT_GE(site->targets.contains(target) ? site->targets.at(target) : 0, count) << target;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ValuesTest, ::testing::Values("file", "s3"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
