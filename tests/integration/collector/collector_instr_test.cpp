// SPDX-License-Identifier: Apache-2.0
// The in-process collector end to end, against a local store and a real S3 server (moto):
// an instrumented program uploads one raw profile per interval; merged (llvm-profdata-19)
// they equal the program's own end-of-run profile.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/fs.hpp"
#include "core/store/s3_client.hpp"
#include "core/store/store.hpp"
#include "tests/support/profdata_show.hpp"
#include "tests/support/s3_server.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace pgopipe;
using namespace std::chrono_literals;

namespace {

struct ChildRun {
  int status = 0;  // waitpid status
  int pid = 0;
  std::string err;
};

test::S3Server* s3_server() {
  static auto server = test::S3Server::start();
  return server ? server->get() : nullptr;
}

class CollectorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgopipe-collector-" + random_hex(6));
    fs::create_directories(dir_);
    store_ = dir_ / "store";
    store_url_ = store_.string();
    if (GetParam() == "s3") {
      s3_ = s3_server();
      ASSERT_TRUE(s3_) << "no S3 test server: " << test::S3Server::start().error().message;
      for (const auto& [k, v] : s3_->client_env()) ::setenv(k.c_str(), v.c_str(), 1);  // for open()
      bucket_ = "collector-" + random_hex(4);
      store_url_ = "s3://" + bucket_ + "/profiles";
      create_bucket_now_ = true;
    }
  }

  // Creates the S3 bucket (the store "comes up"); the file store needs nothing.
  void create_bucket() {
    store::AwsCredentials creds{s3_->access_key(), s3_->secret_key(), "", "test"};
    store::S3Options o;
    o.endpoint = s3_->endpoint();
    o.region = s3_->region();
    auto client = store::make_s3_client(bucket_, o, creds);
    ASSERT_TRUE(client.ok()) << client.error().message;
    store::S3Request put;
    put.method = "PUT";
    auto r = (*client)->send(put);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // Makes the store unreachable: a file where the directory should be, or no bucket yet.
  void store_down() {
    if (s3_) {
      create_bucket_now_ = false;
    } else {
      ASSERT_TRUE(write_file_atomic(store_, "not a directory").ok());
    }
  }
  void store_up() {
    if (s3_) {
      create_bucket();
    } else {
      fs::remove(store_);
    }
  }

  std::unique_ptr<store::Store> open() {
    store::StoreOptions o;
    if (s3_) o.s3.endpoint = s3_->endpoint();
    auto store = store::open_store(store_url_, o);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  bp::environment env(const std::string& interval = "1s") {
    if (create_bucket_now_) {
      create_bucket();
      create_bucket_now_ = false;
    }
    bp::environment e = boost::this_process::environment();
    if (s3_) {
      for (const auto& [k, v] : s3_->client_env()) e[k] = v;
    }
    e["PGOPIPE_STORE"] = store_url_;
    e["PGOPIPE_APP"] = "busy";
    e["PGOPIPE_INTERVAL"] = interval;
    e["PGOPIPE_LABELS"] = "env=test,zone=a";
    e["PGOPIPE_SPOOL_DIR"] = (dir_ / "spool").string();
    e["LLVM_PROFILE_FILE"] = (dir_ / "end.profraw").string();
    return e;
  }

  // Runs busy for `seconds`; `during` runs in the test while the child works.
  ChildRun run_busy(const std::string& seconds, bp::environment e,
               const std::function<void(int pid)>& during = {}, const char* exe = BUSY_EXE) {
    fs::path err = dir_ / "stderr.txt";
    bp::child c(exe, seconds, bp::env = e, bp::std_out > (dir_ / "stdout.txt").string(),
                bp::std_err > err.string());
    if (during) during(c.id());
    c.wait();
    ChildRun r{c.native_exit_code(), c.id(), read_file(err).value()};
    return r;
  }

  std::vector<store::StoredObject> objects() {
    auto store = open();
    store::Query q;
    q.app = "busy";
    q.window = {now() - std::chrono::hours{1}, now() + std::chrono::hours{1}};  // few partitions
    auto list = store->list(q);
    EXPECT_TRUE(list.ok()) << list.error().message;
    return *list;
  }

  static std::string capture(const std::vector<std::string>& args) {
    bp::ipstream out;
    bp::child c(LLVM_PROFDATA, bp::args(args), bp::std_out > out, bp::std_err > bp::null);
    std::stringstream ss;
    ss << out.rdbuf();
    c.wait();
    EXPECT_EQ(c.exit_code(), 0) << "llvm-profdata-19 failed";
    return ss.str();
  }

  // Merges every stored object and compares with the end-of-run profile.
  void expect_merge_equals_end_of_run(const std::vector<store::StoredObject>& objs,
                                      size_t min_functions = 5) {
    auto store = open();
    std::vector<std::string> args{"merge", "-o", (dir_ / "merged.profdata").string()};
    for (size_t i = 0; i < objs.size(); ++i) {
      auto blob = store->get(objs[i].key);
      ASSERT_TRUE(blob.ok()) << blob.error().message;
      fs::path f = dir_ / fmt::format("pulled-{}.profraw", i);
      ASSERT_TRUE(write_file_atomic(f, blob->bytes).ok());
      args.push_back(f.string());
    }
    capture(args);
    auto merged = test::show_blocks(capture({"show", "--all-functions", "--counts",
                                     (dir_ / "merged.profdata").string()}));
    auto end = test::show_blocks(capture({"show", "--all-functions", "--counts",
                                  (dir_ / "end.profraw").string()}));
    EXPECT_GE(end.size(), min_functions);
    EXPECT_EQ(merged, end);
  }

  // Polls the store until it holds `n` objects (or `timeout` passes); returns the count seen.
  size_t wait_for_objects(size_t n, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t seen = 0;
    while ((seen = objects().size()) < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    return seen;
  }

  // Profiles waiting in the spool (one .meta.json each).
  size_t spooled() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "spool", ec)) {
      n += e.path().filename().string().ends_with(".meta.json") ? 1 : 0;
    }
    return n;
  }

  // Interval numbers 1..N, each exactly once, all from one process.
  static void expect_contiguous(const std::vector<store::StoredObject>& objs, int pid) {
    std::multiset<int> seqs;
    for (const auto& o : objs) {
      seqs.insert(std::stoi(o.meta.labels.at("seq")));
      EXPECT_EQ(o.meta.labels.at("pid"), std::to_string(pid));
    }
    int expected = 1;
    for (int s : seqs) EXPECT_EQ(s, expected++) << "intervals missing or duplicated";
  }

  fs::path dir_, store_;
  std::string store_url_, bucket_;
  test::S3Server* s3_ = nullptr;
  bool create_bucket_now_ = false;
};

TEST_P(CollectorTest, OneObjectPerIntervalMergingToTheEndOfRunProfile) {
  ChildRun r = run_busy("3.5", env());
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.err;
  auto objs = objects();
  ASSERT_EQ(objs.size(), 4u) << "3 full intervals and the last partial one\n" << r.err;
  expect_contiguous(objs, r.pid);
  std::string ids = capture({"show", "--binary-ids", (dir_ / "end.profraw").string()});
  for (size_t i = 0; i < objs.size(); ++i) {
    const auto& m = objs[i].meta;
    EXPECT_EQ(m.app, "busy");
    EXPECT_EQ(m.format, ProfileFormat::LlvmRaw);
    EXPECT_EQ(m.host, host_name());
    EXPECT_EQ(m.labels.at("env"), "test");
    EXPECT_EQ(m.labels.at("zone"), "a");
    EXPECT_EQ(m.build_id.size(), 40u);
    EXPECT_NE(ids.find(m.build_id), std::string::npos) << ids;
    if (i + 1 < objs.size()) {
      EXPECT_GT(m.duration, 900ms);
      EXPECT_LT(m.duration, 1500ms);
      EXPECT_EQ(m.collected_at + m.duration, objs[i + 1].meta.collected_at) << "gap or overlap";
    } else {
      EXPECT_LT(m.duration, 900ms) << "the last interval is the partial one";
    }
  }
  expect_merge_equals_end_of_run(objs);
}

TEST_P(CollectorTest, IrInstrumentationBlockCountsMatch) {
  ChildRun r = run_busy("2.5", env(), {}, BUSY_IR_EXE);
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  auto objs = objects();
  ASSERT_EQ(objs.size(), 3u) << r.err;
  expect_contiguous(objs, r.pid);
  expect_merge_equals_end_of_run(objs, 3);  // value sites: collector_values_test
}

TEST_P(CollectorTest, SigtermFlushesThePartialInterval) {
  TimePoint killed_at{};
  size_t uploaded_before_kill = 0;
  ChildRun r = run_busy("60", env(), [&](int pid) {
    // SIGTERM once two intervals are in the store (an event, not a guess at the timing).
    uploaded_before_kill = wait_for_objects(2, 45s);
    killed_at = now();
    ::kill(pid, SIGTERM);
  });
  TimePoint exited_at = now();
  ASSERT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGTERM) << r.err;
  ASSERT_GE(uploaded_before_kill, 2u) << "two intervals never reached the store\n" << r.err;
  auto objs = objects();
  ASSERT_GT(objs.size(), uploaded_before_kill) << "the partial interval was not flushed\n" << r.err;
  expect_contiguous(objs, r.pid);
  const auto& last = objs.back().meta;
  EXPECT_LT(last.duration, 1s) << "the last interval is the partial one";
  // The flushed interval is the one SIGTERM arrived in, ended before the process did.
  auto end = last.collected_at + last.duration;
  EXPECT_LE(last.collected_at, killed_at);
  EXPECT_GE(end, killed_at);
  EXPECT_LE(end, exited_at);
  EXPECT_NE(r.err.find("SIGTERM"), std::string::npos) << r.err;
}

TEST_P(CollectorTest, StoreDownThenUpLosesAndDuplicatesNothing) {
  store_down();  // every put fails until the store comes up
  size_t spooled_while_down = 0;
  ChildRun r = run_busy("5.5", env(), [&](int) {
    // The store comes up once two intervals wait in the spool (an event, not a guess).
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while ((spooled_while_down = spooled()) < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    store_up();
  });
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.err;
  ASSERT_GE(spooled_while_down, 2u) << r.err;
  EXPECT_NE(r.err.find("spooling"), std::string::npos) << r.err;
  // What waited in the spool is uploaded once the store is up, and every interval the
  // collector reports is stored exactly once.
  std::smatch uploaded, stopped;
  ASSERT_TRUE(std::regex_search(r.err, uploaded, std::regex(R"(uploaded (\d+) spooled profile\(s\))"))) << r.err;
  EXPECT_GE(std::stoul(uploaded[1].str()), spooled_while_down) << r.err;
  ASSERT_TRUE(std::regex_search(r.err, stopped, std::regex(R"(stopped after (\d+) interval\(s\))"))) << r.err;
  auto objs = objects();
  ASSERT_EQ(objs.size(), std::stoul(stopped[1].str())) << r.err;
  expect_contiguous(objs, r.pid);
  EXPECT_TRUE(fs::is_empty(dir_ / "spool") ||
              std::all_of(fs::directory_iterator(dir_ / "spool"), fs::directory_iterator(),
                          [](const auto& e) { return e.path().filename().string().front() == '.'; }))
      << "the spool is drained";
  expect_merge_equals_end_of_run(objs);
}

TEST_P(CollectorTest, FullSpoolDropsTheOldestAndSaysHowMany) {
  store_down();
  bp::environment e = env();
  e["PGOPIPE_SPOOL_MAX_BYTES"] = "2500";  // room for two small profiles
  ChildRun r = run_busy("3.5", e);
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.err;
  EXPECT_NE(r.err.find("dropped 1 oldest profile(s) (2 dropped so far)"), std::string::npos)
      << r.err;
  std::set<std::string> left;
  for (const auto& f : fs::directory_iterator(dir_ / "spool")) {
    std::string name = f.path().filename().string();
    if (name.ends_with(".meta.json")) left.insert(name);
  }
  ASSERT_EQ(left.size(), 2u);
  EXPECT_NE(left.begin()->find("-00000003.meta.json"), std::string::npos) << *left.begin();
  EXPECT_NE(left.rbegin()->find("-00000004.meta.json"), std::string::npos) << *left.rbegin();
}

TEST_P(CollectorTest, NotConfiguredDoesNothing) {
  bp::environment e = boost::this_process::environment();
  e.erase("PGOPIPE_STORE");
  e["LLVM_PROFILE_FILE"] = (dir_ / "end.profraw").string();
  ChildRun r = run_busy("0.3", e);
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(fs::exists(store_));
  EXPECT_FALSE(fs::exists(dir_ / "spool"));
}

TEST_P(CollectorTest, NotInstrumentedIsAClearError) {
  bp::ipstream out;
  bp::child c(NOT_INSTRUMENTED_EXE, bp::std_out > out);
  std::string line;
  std::getline(out, line);
  c.wait();
  EXPECT_EQ(c.exit_code(), 1);
  EXPECT_NE(line.find("not instrumented"), std::string::npos) << line;
}

INSTANTIATE_TEST_SUITE_P(Stores, CollectorTest, ::testing::Values("file", "s3"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
