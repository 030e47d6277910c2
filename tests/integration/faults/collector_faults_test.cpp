// SPDX-License-Identifier: Apache-2.0
// The in-process collector (an instrumented program uploading one raw profile per second)
// through fault_proxy.py: faults hit its uploads for the first seconds, then stop. After
// the run the store holds every interval exactly once (none lost, none duplicated), each
// object whole, and the spool is drained.
#include <nlohmann/json.hpp>

#include <boost/process.hpp>
#include <thread>

#include "core/store/store.hpp"
#include "tests/integration/faults/fault_cli.hpp"
#include "tests/support/fault_proxy.hpp"

namespace pgopipe::test {
namespace {

namespace bp = boost::process;

struct CollectorFault {
  std::string name;
  std::string rules;
  friend void PrintTo(const CollectorFault& f, std::ostream* os) { *os << f.name; }
};

// The number of intervals the collector says it produced ("stopped after N interval(s)").
int intervals_reported(const std::string& log) {
  size_t at = log.find("stopped after ");
  return at == std::string::npos ? -1 : std::atoi(log.c_str() + at + 14);
}

class CollectorFaults : public ::testing::TestWithParam<CollectorFault> {};

TEST_P(CollectorFaults, EveryIntervalStoredExactlyOnce) {
  const CollectorFault& c = GetParam();
  auto b = make_backend("s3");
  ASSERT_TRUE(b) << b.error().message;
  FaultProxy proxy(b->s3->port());
  ASSERT_TRUE(proxy.error().empty()) << proxy.error();
  ASSERT_TRUE(proxy.set_rules(c.rules));
  TempDir tmp;

  bp::environment e = boost::this_process::environment();
  for (const auto& [k, v] : b->s3->client_env()) {
    if (v.empty()) e.erase(k); else e[k] = v;
  }
  e["PGOPIPE_S3_ENDPOINT"] = proxy.endpoint();
  e["PGOPIPE_S3_TIMEOUT"] = "1s";
  e["PGOPIPE_STORE"] = b->url;
  e["PGOPIPE_APP"] = "busy";
  e["PGOPIPE_INTERVAL"] = "1s";
  e["PGOPIPE_LABELS"] = "env=faults";
  e["PGOPIPE_SPOOL_DIR"] = (tmp.path() / "spool").string();
  e["LLVM_PROFILE_FILE"] = (tmp.path() / "end.profraw").string();
  fs::path err = tmp.path() / "stderr.txt";
  auto start = std::chrono::steady_clock::now();
  bp::child child(BUSY_EXE, "5.5", bp::env = e, bp::std_out > bp::null, bp::std_err > err.string());
  std::this_thread::sleep_for(2800ms);
  int injected = proxy.stats()["faults"].get<int>();
  ASSERT_TRUE(proxy.set_rules("[]"));  // the network heals
  std::error_code ec;
  if (!child.wait_for(60s, ec)) child.terminate(ec);
  auto log_text = read_file(err);
  std::string log = log_text ? *log_text : std::string();
  ASSERT_EQ(child.exit_code(), 0) << log;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 60s);
  EXPECT_GT(injected, 0) << "the fault never hit an upload\n" << log;

  store::StoreOptions o;
  o.s3.endpoint = b->s3->endpoint();
  auto store = store::open_store(b->url, o);
  ASSERT_TRUE(store) << store.error().message;
  store::Query q;
  q.app = "busy";
  q.window = {now() - 1h, now() + 1h};
  auto objects = (*store)->list(q);
  ASSERT_TRUE(objects) << objects.error().message;
  std::multiset<int> seqs;
  for (size_t i = 0; i < objects->size(); ++i) {
    const auto& m = (*objects)[i].meta;
    seqs.insert(std::stoi(m.labels.at("seq")));
    auto blob = (*store)->get((*objects)[i].key);  // verifies the bytes against the sha256
    EXPECT_TRUE(blob) << blob.error().message;
    if (i + 1 < objects->size()) {  // uploads blocked by a fault lengthen intervals, no gaps
      EXPECT_EQ(m.collected_at + m.duration, (*objects)[i + 1].meta.collected_at) << "gap";
    }
  }
  // Every interval the collector produced is stored: a stalled upload blocks the collector
  // thread, so it may produce fewer, longer intervals, never lose one.
  EXPECT_EQ(static_cast<int>(seqs.size()), intervals_reported(log)) << log;
  EXPECT_GE(seqs.size(), 3u) << log;
  int expected = 1;
  for (int s : seqs) EXPECT_EQ(s, expected++) << "an interval is missing or duplicated\n" << log;
  for (const auto& f : files_in(tmp.path() / "spool")) {
    EXPECT_EQ(f.filename().string().front(), '.') << "spool not drained: " << f << "\n" << log;
  }
  std::printf("[%s] %d fault(s) injected, %zu objects stored\n", c.name.c_str(), injected,
              seqs.size());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, CollectorFaults,
    ::testing::Values(
        CollectorFault{"503_always", R"([{"fault": "status", "status": 503}])"},
        CollectorFault{"put_response_lost", R"([{"fault": "reset", "method": "PUT", "after": 0}])"},
        CollectorFault{"put_body_cut", R"([{"fault": "reset", "direction": "request", "method": "PUT", "after": 500}])"},
        CollectorFault{"truncated_responses", R"([{"fault": "truncate", "after": 20}])"},
        CollectorFault{"stalled", R"([{"fault": "stall", "after": 0}])"},
        CollectorFault{"slow_drip", R"([{"fault": "drip", "ms": 5}])"}),
    [](const ::testing::TestParamInfo<CollectorFault>& p) { return p.param.name; });

}  // namespace
}  // namespace pgopipe::test
