// SPDX-License-Identifier: Apache-2.0
// pgopipe push, ls (paged: 3 keys per ListObjectsV2 page) and pull through fault_proxy.py in
// front of a real moto S3 server. A transient fault must be retried into success; a
// persistent one must end in exit 5 with one message naming the URL, well within a minute.
// Either way the store holds only complete objects (each listed object's bytes match its
// sha256 and the pushed bytes) and a pull directory only complete files.
#include <nlohmann/json.hpp>

#include "core/fs.hpp"
#include "tests/integration/faults/fault_cli.hpp"
#include "tests/support/fault_proxy.hpp"

namespace pgopipe::test {
namespace {

using nlohmann::json;

enum Op { kPush = 1, kLs = 2, kPull = 4 };

// One line per fault and operation for the log: what pgopipe did and how long it took.
void report(const std::string& fault, const char* op, const RunResult& r) {
  std::printf("[fault] %-40s %-5s exit %d in %5.1f s\n", fault.c_str(), op, r.exit_code,
              static_cast<double>(r.elapsed.count()) / 1000);
}

struct FaultCase {
  std::string name;
  std::string rules;  // fault_proxy.py rules (JSON)
  int ops;            // operations the fault can hit
  std::string message = "";  // persistent faults: text the error must contain
};

class StoreFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = make_backend("s3");
    ASSERT_TRUE(b) << b.error().message;
    backend_ = *b;
    proxy_ = std::make_unique<FaultProxy>(backend_.s3->port());
    ASSERT_TRUE(proxy_->error().empty()) << proxy_->error();
    for (int i = 0; i < 7; ++i) {  // three listing pages, pushed straight to the server
      auto r = push({});
      ASSERT_EQ(r.exit_code, 0) << describe(r);
    }
  }

  std::map<std::string, std::string> env(const std::string& timeout = "30s", int retries = 3) {
    return {{"PGOPIPE_S3_ENDPOINT", proxy_->endpoint()},
            {"PGOPIPE_S3_RETRIES", std::to_string(retries)},
            {"PGOPIPE_S3_TIMEOUT", timeout},
            {"PGOPIPE_S3_LIST_PAGE_SIZE", "3"}};
  }

  // Pushes a fresh 200 KB profile (through `via`, or straight to the server if empty).
  RunResult push(const std::map<std::string, std::string>& via) {
    std::string bytes = distinct_bytes(200000);
    fs::path file = tmp_.path() / (random_hex(6) + ".prof");
    EXPECT_TRUE(write_file_atomic(file, bytes));
    auto r = pgopipe_run(backend_, {"push", file.string(), "--allow-unknown", "--allow-duplicate", "--app", "web"}, via);
    (r.exit_code == 0 ? pushed_ : maybe_).insert(sha256_hex(bytes));
    return r;
  }
  RunResult ls(const std::map<std::string, std::string>& via) {
    return pgopipe_run(backend_, {"ls", "--app", "web", "--since", "1h", "--json"}, via);
  }
  RunResult pull(const fs::path& out, const std::map<std::string, std::string>& via,
                 const std::string& concurrency = "4") {
    return pgopipe_run(backend_, {"pull", "--app", "web", "--since", "1h", "-o", out.string(),
                                  "--concurrency", concurrency},
                       via);
  }

  // Straight from the server: every listed object is whole (pull verifies each sha256) and
  // is a pushed profile, exactly once; a push that failed may have stored its object whole.
  void expect_store_complete() {
    fs::path out = tmp_.path() / ("check-" + random_hex(4));
    auto r = pull(out, {});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    std::set<std::string> any = pushed_;
    any.insert(maybe_.begin(), maybe_.end());
    auto seen = expect_only_complete_files(out, any);
    for (const auto& sha : pushed_) EXPECT_EQ(seen.count(sha), 1u) << "pushed object " << sha;
    for (const auto& sha : maybe_) EXPECT_LE(seen.count(sha), 1u) << "duplicated " << sha;
  }

  void expect_listing_complete(const RunResult& r) {
    json listed = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(listed.is_array()) << describe(r);
    std::set<std::string> shas;
    for (const auto& o : listed) shas.insert(o["meta"]["sha256"].get<std::string>());
    for (const auto& sha : pushed_) EXPECT_TRUE(shas.contains(sha)) << "missing " << sha;
    EXPECT_LE(listed.size(), pushed_.size() + maybe_.size()) << describe(r);
  }

  Backend backend_;
  std::unique_ptr<FaultProxy> proxy_;
  ScratchDir tmp_{"pgopipe-test"};
  std::set<std::string> pushed_, maybe_;  // sha256 of successful / failed pushes
};

// Faults that stop after a few requests: every operation succeeds after retries.
TEST_F(StoreFaults, TransientFaultsAreRetriedIntoSuccess) {
  const std::vector<FaultCase> cases = {
      {"503 burst", R"([{"fault": "status", "status": 503, "count": 3}])", kPush | kLs | kPull},
      {"500 burst", R"([{"fault": "status", "status": 500, "count": 2}])", kPush | kLs | kPull},
      {"response lost after the server acted", R"([{"fault": "reset", "after": 0, "count": 2}])",
       kPush | kLs | kPull},
      {"reset mid-body (response)",
       R"([{"fault": "reset", "method": "GET", "after_head": 1000, "count": 2}])", kLs | kPull},
      {"reset mid-body (request)",
       R"([{"fault": "reset", "direction": "request", "method": "PUT", "after": 50000, "count": 2}])",
       kPush},
      {"truncated body", R"([{"fault": "truncate", "method": "GET", "after_head": 1000, "count": 2}])",
       kLs | kPull},
      {"truncated head", R"([{"fault": "truncate", "after": 10, "count": 2}])", kPush | kLs | kPull},
      {"stall beyond the timeout", R"([{"fault": "stall", "after": 0, "count": 1}])",
       kPush | kLs | kPull},
      {"slow drip", R"([{"fault": "drip", "ms": 1, "count": 2}])", kPush | kLs | kPull},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto via = env("2s");
    auto fired = [&](int op) {
      if (c.ops & op) {
        EXPECT_GT(proxy_->stats()["faults"].get<int>(), 0) << "fault not injected";
      }
    };
    ASSERT_TRUE(proxy_->set_rules(c.rules));
    auto p = push(via);
    report(c.name, "push", p);
    EXPECT_EQ(p.exit_code, 0) << describe(p);
    EXPECT_LT(p.elapsed, 60s);
    fired(kPush);
    ASSERT_TRUE(proxy_->set_rules(c.rules));
    auto l = ls(via);
    report(c.name, "ls", l);
    EXPECT_EQ(l.exit_code, 0) << describe(l);
    EXPECT_LT(l.elapsed, 60s);
    if (l.exit_code == 0) expect_listing_complete(l);
    fired(kLs);
    ASSERT_TRUE(proxy_->set_rules(c.rules));
    fs::path out = tmp_.path() / ("pull-" + random_hex(4));
    auto r = pull(out, via);
    report(c.name, "pull", r);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_LT(r.elapsed, 60s);
    fired(kPull);
    auto files = expect_only_complete_files(out, pushed_);
    if (r.exit_code == 0) {
      EXPECT_EQ(files.size(), pushed_.size() + maybe_.size());
    }
  }
  ASSERT_TRUE(proxy_->set_rules("[]"));
  expect_store_complete();
}

// Faults that never stop: a clear error naming the URL, bounded in time, nothing partial.
TEST_F(StoreFaults, PersistentFaultsFailClearlyAndLeaveNothingPartial) {
  const std::vector<FaultCase> cases = {
      {"always 503", R"([{"fault": "status", "status": 503}])", kPush | kLs | kPull,
       "HTTP 503 SlowDown"},
      {"always reset", R"([{"fault": "reset", "after": 0}])", kPush | kLs | kPull,
       "broke during the transfer"},
      {"request always cut", R"([{"fault": "reset", "direction": "request", "method": "PUT", "after": 50000}])",
       kPush, "broke during the transfer"},
      {"always truncated", R"([{"fault": "truncate", "method": "GET", "after_head": 100}])",
       kLs | kPull, "broke during the transfer"},
      {"always stalled", R"([{"fault": "stall", "after": 0}])", kPush | kLs | kPull, "timed out"},
      {"object bodies drip", R"([{"fault": "drip", "ms": 1, "method": "GET", "path": "/web/"}])",
       kPull, "timed out"},
      {"listing pages after the first fail", R"([{"fault": "status", "status": 503, "path": "continuation-token"}])",
       kLs | kPull, "HTTP 503 SlowDown"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto via = env("2s", 2);
    ASSERT_TRUE(proxy_->set_rules(c.rules));
    std::string endpoint = proxy_->endpoint() + "/" + backend_.s3->bucket();
    auto expect_failure = [&](const RunResult& r, const std::string& what) {
      EXPECT_EQ(r.exit_code, 5) << describe(r);
      EXPECT_NE(r.err.find(c.message), std::string::npos) << describe(r);
      // One readable message naming the request: its URL, or the object's or listing's s3:// URL.
      bool names = r.err.find(endpoint) != std::string::npos ||
                   r.err.find(backend_.url + "/web/") != std::string::npos;
      EXPECT_TRUE(names) << what << " error does not name the URL: " << describe(r);
      EXPECT_LT(r.elapsed, 60s) << what;
    };
    auto p = push(via);
    report(c.name, "push", p);
    if (c.ops & kPush) {
      expect_failure(p, "push");
    } else {
      EXPECT_EQ(p.exit_code, 0) << describe(p);
    }
    auto l = ls(via);
    report(c.name, "ls", l);
    if (c.ops & kLs) {
      expect_failure(l, "ls");
      EXPECT_EQ(l.out, "") << "a failed listing printed a partial result";
    } else {
      EXPECT_EQ(l.exit_code, 0) << describe(l);
    }
    fs::path out = tmp_.path() / ("pull-" + random_hex(4));
    auto r = pull(out, via);
    report(c.name, "pull", r);
    if (c.ops & kPull) {
      expect_failure(r, "pull");
    } else {
      EXPECT_EQ(r.exit_code, 0) << describe(r);
    }
    std::set<std::string> any = pushed_;
    any.insert(maybe_.begin(), maybe_.end());
    expect_only_complete_files(out, any);
    ASSERT_TRUE(proxy_->set_rules("[]"));
    expect_store_complete();
  }
}

// A pull cut off after three objects keeps those three (whole, verified) and nothing else.
TEST_F(StoreFaults, PullBrokenMidWayKeepsOnlyWholeFiles) {
  ASSERT_TRUE(proxy_->set_rules(
      R"([{"fault": "reset", "method": "GET", "path": "/web/", "skip": 3, "after_head": 50000}])"));
  fs::path out = tmp_.path() / "out";
  auto r = pull(out, env("30s", 2), "1");
  report("reset after 3 whole objects", "pull", r);
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("/web/"), std::string::npos) << "the error names the key: " << describe(r);
  auto files = expect_only_complete_files(out, pushed_);
  EXPECT_EQ(files.size(), 3u);
  EXPECT_LT(r.elapsed, 60s);
}

// A distant store: every request waits 200 ms in the proxy before it reaches the server.
// Parallel requests must overlap, and requests must ride kept-alive connections (at most one
// per worker), not open one each.
TEST_F(StoreFaults, DelayedRequestsOverlapOnKeptAliveConnections) {
  const std::string delay = R"([{"fault": "delay", "ms": 200}])";
  ASSERT_TRUE(proxy_->set_rules(delay));
  auto seq = pull(tmp_.path() / "seq", env(), "1");
  json s = proxy_->stats();
  report("200 ms per request", "pull", seq);
  ASSERT_EQ(seq.exit_code, 0) << describe(seq);
  ASSERT_TRUE(proxy_->set_rules(delay));
  auto par = pull(tmp_.path() / "par", env(), "8");
  json p = proxy_->stats();
  report("200 ms per request, 8 workers", "pull", par);
  ASSERT_EQ(par.exit_code, 0) << describe(par);
  EXPECT_EQ(expect_only_complete_files(tmp_.path() / "par", pushed_).size(), pushed_.size());
  // Seven objects: three listing pages, then a HEAD and a GET each.
  const int requests = s["requests"].get<int>();
  EXPECT_GE(requests, 17) << s.dump();
  EXPECT_EQ(p["requests"].get<int>(), requests) << p.dump();
  EXPECT_GE(seq.elapsed, requests * 200ms) << "the proxy did not delay every request";
  EXPECT_LT(par.elapsed * 2, seq.elapsed) << "8 workers did not overlap their requests";
  EXPECT_EQ(s["connections"].get<int>(), 1) << "one worker, one kept-alive connection: " << s.dump();
  EXPECT_LE(p["connections"].get<int>(), 8) << p.dump();
}

}  // namespace
}  // namespace pgopipe::test

namespace pgopipe::test {
namespace {

// Exclusive create (the rebuild lock) rests on the server honouring `If-None-Match: *`, not
// on the HEAD pgopipe sends first: with every HEAD answered 404 by the proxy, that check sees
// no object, so only the conditional PUT can refuse the second create (moto 5.0.28 answers
// it 412 Precondition Failed), and the first owner's bytes must stay.
TEST_F(StoreFaults, ExclusiveCreateIsRefusedByTheServerNotOnlyByTheHead) {
  store::StoreOptions o;
  o.s3.endpoint = proxy_->endpoint();
  o.s3.region = backend_.s3->region();
  o.s3.retries = 1;
  auto store = store::open_store(backend_.url, o);
  ASSERT_TRUE(store) << store.error().message;
  const std::string key = "web/locks/exclusive-" + random_hex(4);
  ASSERT_TRUE((*store)->put_raw(key, "owner-1", true));
  ASSERT_TRUE(proxy_->set_rules(R"([{"method": "HEAD", "fault": "status", "status": 404}])"));
  auto second = (*store)->put_raw(key, "owner-2", true);
  json stats = proxy_->stats();
  EXPECT_GE(stats["faults"].get<int>(), 1) << "no HEAD was hidden: " << stats.dump();
  EXPECT_GE(stats["requests"].get<int>(), 2) << "the PUT did not reach the server: " << stats.dump();
  ASSERT_FALSE(second) << "the server accepted a second exclusive create of " << key;
  EXPECT_EQ(second.error().code, ErrorCode::Store);
  EXPECT_NE(second.error().message.find("already exists"), std::string::npos) << second.error().message;
  ASSERT_TRUE(proxy_->set_rules("[]"));
  auto kept = (*store)->get_raw(key);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(*kept, "owner-1");
}

}  // namespace
}  // namespace pgopipe::test
