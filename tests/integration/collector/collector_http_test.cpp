// SPDX-License-Identifier: Apache-2.0
// `pgopipe collect http` against a real Go service serving net/http/pprof.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/fs.hpp"
#include "core/store/store.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace pgopipe;
using namespace std::chrono_literals;

namespace {

struct Scrape {
  int exit_code = -1;
  std::string err;
  std::chrono::steady_clock::duration took{};
};

class HttpScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(GO_SERVICE).empty()) GTEST_SKIP() << "SKIPPED: go is not installed, no Go service to scrape";
    dir_ = fs::temp_directory_path() / ("pgopipe-http-" + random_hex(6));
    fs::create_directories(dir_);
    service_ = bp::child(GO_SERVICE, bp::std_out > out_);
    std::string line;
    ASSERT_TRUE(std::getline(out_, line)) << "the Go service did not start";
    ASSERT_TRUE(line.starts_with("listening on ")) << line;
    base_ = "http://" + line.substr(13);
  }
  void TearDown() override {
    if (service_.valid() && service_.running()) {
      ::kill(service_.id(), SIGTERM);
      service_.wait();
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  Scrape scrape(std::vector<std::string> args, const std::function<void(int)>& during = {}) {
    std::vector<std::string> all{"collect", "http", "--app", "gosvc", "--store",
                                 (dir_ / "store").string(), "--spool-dir", (dir_ / "spool").string()};
    all.insert(all.end(), args.begin(), args.end());
    fs::path err = dir_ / "scrape.err";
    auto t0 = std::chrono::steady_clock::now();
    bp::child c(PGOPIPE_EXE, bp::args(all), bp::std_out > bp::null, bp::std_err > err.string());
    if (during) during(c.id());
    c.wait();
    return Scrape{c.exit_code(), read_file(err).value(), std::chrono::steady_clock::now() - t0};
  }

  std::vector<store::StoredObject> objects() {
    auto store = store::open_store((dir_ / "store").string(), {});
    store::Query q;
    q.app = "gosvc";
    q.window = {now() - std::chrono::hours{1}, now() + std::chrono::hours{1}};  // few partitions
    auto list = (*store)->list(q);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<store::StoredObject>{};
  }

  fs::path dir_;
  std::string base_;
  bp::ipstream out_;
  bp::child service_;
};

TEST_F(HttpScraperTest, ProfilesArriveAndGoToolPprofReadsThem) {
  TimePoint before = now();
  Scrape s = scrape({"--url", base_ + "/debug/pprof/profile?seconds=1", "--interval", "2s",
                     "--count", "2", "--label", "env=test"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto objs = objects();
  ASSERT_EQ(objs.size(), 2u) << s.err;
  auto store = store::open_store((dir_ / "store").string(), {});
  for (size_t i = 0; i < objs.size(); ++i) {
    const auto& m = objs[i].meta;
    EXPECT_EQ(m.format, ProfileFormat::PprofGzip);
    EXPECT_EQ(m.duration, 1s);
    EXPECT_EQ(m.labels.at("env"), "test");
    EXPECT_GE(m.collected_at, before);
    if (i > 0) {
      // Scrapes start on a fixed 2 s schedule: never closer than the interval, and (whatever
      // the machine's load) the second one started early enough to fetch its 1 s profile
      // before the run ended.
      auto gap = m.collected_at - objs[i - 1].meta.collected_at;
      EXPECT_GT(gap, 1900ms);
      EXPECT_LE(gap + 1s, s.took) << "scrapes follow the interval";
    }
    auto blob = (*store)->get(objs[i].key);
    ASSERT_TRUE(blob.ok());
    fs::path f = dir_ / fmt::format("p{}.pb.gz", i);
    ASSERT_TRUE(write_file_atomic(f, blob->bytes).ok());
    bp::ipstream raw;
    bp::child tool(GO_EXE, "tool", "pprof", "-raw", f.string(), bp::env["GOCACHE"] = GO_CACHE,
                   bp::std_out > raw, bp::std_err > bp::null);
    std::stringstream text;
    text << raw.rdbuf();
    tool.wait();
    EXPECT_EQ(tool.exit_code(), 0);
    EXPECT_NE(text.str().find("main.burnCPU"), std::string::npos) << text.str();
  }
}

TEST_F(HttpScraperTest, BadAnswersAreLoggedWithTheUrlAndRetriedNextTick) {
  for (const auto& [path, cause] : std::vector<std::pair<std::string, std::string>>{
           {"/notpprof", "is not a pprof profile"}, {"/fail", "HTTP 500"}}) {
    Scrape s = scrape({"--url", base_ + path, "--interval", "300ms", "--count", "2"});
    EXPECT_EQ(s.exit_code, 4) << s.err;
    size_t first = s.err.find(base_ + path + ": ");
    ASSERT_NE(first, std::string::npos) << s.err;
    EXPECT_NE(s.err.find(cause), std::string::npos) << s.err;
    EXPECT_NE(s.err.find(base_ + path + ": ", first + 1), std::string::npos) << "retried\n" << s.err;
  }
  // A port nobody listens on.
  Scrape s = scrape({"--url", "http://127.0.0.1:1/debug/pprof/profile?seconds=1", "--count", "1"});
  EXPECT_EQ(s.exit_code, 4);
  EXPECT_NE(s.err.find("http://127.0.0.1:1/debug/pprof/profile?seconds=1: "), std::string::npos) << s.err;
  EXPECT_TRUE(objects().empty());
}

// Credentials in a scrape URL (basic auth) never reach the log.
TEST_F(HttpScraperTest, UrlPasswordIsRedactedInTheLog) {
  std::string url = "http://scraper:pw-s3cret@127.0.0.1:1/debug/pprof/profile?seconds=1";
  Scrape s = scrape({"--url", url, "--count", "1"});
  EXPECT_EQ(s.exit_code, 4) << s.err;
  EXPECT_EQ(s.err.find("pw-s3cret"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("http://scraper:***@127.0.0.1:1/debug/pprof/profile"), std::string::npos) << s.err;
}

TEST_F(HttpScraperTest, SigtermAbandonsTheInFlightScrapeAndExitsZero) {
  Scrape s = scrape({"--url", base_ + "/debug/pprof/profile?seconds=20", "--interval", "1m"},
                    [](int pid) {
                      std::this_thread::sleep_for(1s);
                      ::kill(pid, SIGTERM);
                    });
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_LT(s.took, 5s) << "stopped promptly";
  EXPECT_NE(s.err.find("abandoned"), std::string::npos) << s.err;
  EXPECT_TRUE(objects().empty());
}

}  // namespace
