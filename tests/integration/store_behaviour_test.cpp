// SPDX-License-Identifier: Apache-2.0
// One behavioural suite for every Store backend: the local directory and S3 (a real moto
// server with SigV4 authentication). Each test gets a fresh, empty store.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/fs.hpp"
#include "core/store/store.hpp"
#include "tests/integration/store_backends.hpp"

namespace pgopipe::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TimePoint at(std::string_view rfc3339) { return *parse_time(rfc3339, now()); }

class StoreBehaviour : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto backend = make_backend(GetParam());
    ASSERT_TRUE(backend) << backend.error().message;
    backend_ = *backend;
    store_ = open(options());
  }

  void TearDown() override {
    store_.reset();
    std::error_code ec;
    if (!backend_.dir.empty()) fs::remove_all(backend_.dir, ec);
  }

  store::StoreOptions options() const {
    store::StoreOptions o;
    if (backend_.s3) {
      o.s3.endpoint = backend_.s3->endpoint();
      o.s3.region = backend_.s3->region();
      o.s3.retries = 1;
    }
    return o;
  }

  std::unique_ptr<store::Store> open(const store::StoreOptions& o) const {
    auto s = store::open_store(backend_.url, o);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  static ProfileMeta meta(TimePoint t, std::string build_id = "b1", Labels labels = {}) {
    ProfileMeta m;
    m.app = "svc";
    m.collected_at = t;
    m.duration = 10s;
    m.host = "host-1";
    m.build_id = std::move(build_id);
    m.labels = std::move(labels);
    m.format = ProfileFormat::Pprof;
    return m;
  }

  std::string put(const ProfileMeta& m, const std::string& bytes) {
    auto key = store_->put(m, bytes);
    EXPECT_TRUE(key) << key.error().message;
    return key ? *key : "";
  }

  std::vector<std::string> keys_of(const store::Query& q) {
    auto listed = store_->list(q);
    EXPECT_TRUE(listed) << listed.error().message;
    std::vector<std::string> keys;
    if (listed) for (const auto& o : *listed) keys.push_back(o.key);
    return keys;
  }

  // Corrupts the stored bytes of `key` behind the store's back, keeping its metadata.
  void tamper(const std::string& key) {
    if (backend_.s3) {
      auto r = run_peer(*backend_.s3, {"tamper", backend_.s3->bucket(), backend_.prefix + "/" + key});
      ASSERT_TRUE(r) << r.error().message;
    } else {
      auto bytes = read_file(backend_.dir / key);
      ASSERT_TRUE(bytes);
      (*bytes)[0] ^= 0x55;
      ASSERT_TRUE(write_file_atomic(backend_.dir / key, *bytes));
    }
  }

  Backend backend_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(StoreBehaviour, PutThenGetReturnsBytesAndMetadata) {
  ProfileMeta m = meta(at("2026-03-04T05:06:07.123Z"), "abc123", {{"env", "prod"}, {"zone", "a b%c"}});
  std::string bytes = "profile bytes \x01\x02";
  std::string key = put(m, bytes);
  EXPECT_TRUE(key.starts_with("svc/2026/03/04/05/20260304T050607.123")) << key;
  auto blob = store_->get(key);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(blob->bytes, bytes);
  EXPECT_EQ(blob->meta.app, "svc");
  EXPECT_EQ(blob->meta.collected_at, m.collected_at);
  EXPECT_EQ(blob->meta.duration, 10s);
  EXPECT_EQ(blob->meta.build_id, "abc123");
  EXPECT_EQ(blob->meta.host, "host-1");
  EXPECT_EQ(blob->meta.labels, m.labels);
  EXPECT_EQ(blob->meta.format, ProfileFormat::Pprof);
  EXPECT_EQ(blob->meta.size, bytes.size());
  EXPECT_EQ(blob->meta.sha256.size(), 64u);
}

TEST_P(StoreBehaviour, WindowIsSinceInclusiveUntilExclusive) {
  TimePoint t0 = at("2026-03-04T10:00:00Z");
  std::string before = put(meta(t0 - 1ns), "a");
  std::string first = put(meta(t0), "b");
  std::string mid = put(meta(t0 + 90min), "c");
  std::string at_until = put(meta(t0 + 2h), "d");
  std::string next_day = put(meta(t0 + 26h), "e");
  store::Query q{"svc", Window{t0, t0 + 2h}, {}, {}, {}};
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{first, mid}));
  // A window over several whole days (listed by day prefixes) still honours both edges.
  q.window = Window{t0 - 1ns, t0 + 26h + 1ns};
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{before, first, mid, at_until, next_day}));
  q.app = "other";
  EXPECT_TRUE(keys_of(q).empty());
}

TEST_P(StoreBehaviour, FiltersByKindBuildIdAndLabels) {
  TimePoint t0 = at("2026-03-04T10:00:00Z");
  std::string a = put(meta(t0, "b1", {{"env", "prod"}}), "a");
  ProfileMeta instr = meta(t0 + 1s, "b2", {{"env", "dev"}});
  instr.format = ProfileFormat::LlvmRaw;
  std::string b = put(instr, "b");
  std::string c = put(meta(t0 + 2s, "b2", {{"env", "prod"}, {"zone", "z1"}}), "c");
  store::Query q{"svc", Window{t0, t0 + 1h}, {}, {}, {}};
  EXPECT_EQ(keys_of(q).size(), 3u);
  q.family = ProfileFamily::Instr;
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{b}));
  q.family = ProfileFamily::Pprof;
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{a, c}));
  q.family.reset();
  q.build_id = "b2";
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{b, c}));
  q.build_id.clear();
  q.labels = {{"env", "prod"}};
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{a, c}));
  q.labels = {{"env", "prod"}, {"zone", "z1"}};
  EXPECT_EQ(keys_of(q), (std::vector<std::string>{c}));
}

TEST_P(StoreBehaviour, ListingFollowsPagination) {
  store::StoreOptions o = options();
  o.s3.list_page_size = 2;
  store_ = open(o);
  TimePoint t0 = at("2026-03-04T10:00:00Z");
  std::set<std::string> put_keys;
  for (int i = 0; i < 7; ++i) put_keys.insert(put(meta(t0 + std::chrono::minutes(i)), "x"));
  auto listed = keys_of(store::Query{"svc", Window{t0, t0 + 1h}, {}, {}, {}});
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), put_keys);
  EXPECT_EQ(listed.size(), 7u);
}

TEST_P(StoreBehaviour, RemoveDeletesAndIsIdempotent) {
  TimePoint t0 = at("2026-03-04T10:00:00Z");
  std::string key = put(meta(t0), "bytes");
  ASSERT_TRUE(store_->remove(key));
  EXPECT_TRUE(keys_of(store::Query{"svc", Window{t0, t0 + 1h}, {}, {}, {}}).empty());
  auto gone = store_->get(key);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound) << gone.error().message;
  EXPECT_TRUE(store_->remove(key));
}

TEST_P(StoreBehaviour, RawOperations) {
  ASSERT_TRUE(store_->put_raw("svc/published/b.profdata", "one", false));
  ASSERT_TRUE(store_->put_raw("svc/published/a.profdata", "two", false));
  ASSERT_TRUE(store_->put_raw("svc/reports/r.json", "{}", false));
  ASSERT_TRUE(store_->put_raw("svc/published/a.profdata", "three", false));  // overwrite
  auto got = store_->get_raw("svc/published/a.profdata");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, "three");
  auto listed = store_->list_raw("svc/published/");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, (std::vector<std::string>{"svc/published/a.profdata", "svc/published/b.profdata"}));
  ASSERT_TRUE(store_->remove_raw("svc/published/a.profdata"));
  ASSERT_TRUE(store_->remove_raw("svc/published/a.profdata"));
  auto missing = store_->get_raw("svc/published/a.profdata");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_P(StoreBehaviour, ExclusiveCreateRefusesAnExistingKey) {
  ASSERT_TRUE(store_->put_raw("svc/locks/rebuild", "owner-1", true));
  auto second = store_->put_raw("svc/locks/rebuild", "owner-2", true);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::Store);
  EXPECT_NE(second.error().message.find("already exists"), std::string::npos) << second.error().message;
  EXPECT_EQ(*store_->get_raw("svc/locks/rebuild"), "owner-1");
}

TEST_P(StoreBehaviour, Sha256MismatchIsAnIntegrityErrorNamingTheKey) {
  std::string key = put(meta(at("2026-03-04T10:00:00Z")), "the real profile bytes");
  tamper(key);
  auto blob = store_->get(key);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::Integrity);
  EXPECT_NE(blob.error().message.find(key), std::string::npos) << blob.error().message;
  ProfileMeta wrong = meta(at("2026-03-04T10:00:00Z"));
  wrong.sha256 = std::string(64, '0');
  EXPECT_FALSE(store_->put(wrong, "bytes"));
}

TEST_P(StoreBehaviour, HostileNamesAreRejected) {
  for (const std::string& bad : std::vector<std::string>{
           "../etc/passwd", "svc/../../x", "/abs/key", "svc//x", std::string("a\0b", 3),
           "svc/\x01" "ctl"}) {
    EXPECT_FALSE(store_->get(bad)) << bad;
    EXPECT_FALSE(store_->get_raw(bad)) << bad;
    EXPECT_FALSE(store_->put_raw(bad, "x", false)) << bad;
    EXPECT_FALSE(store_->remove_raw(bad)) << bad;
  }
  for (const std::string& app :
       std::vector<std::string>{"..", "a/b", "../up", std::string("n\0ul", 4)}) {
    ProfileMeta m = meta(at("2026-03-04T10:00:00Z"));
    m.app = app;
    EXPECT_FALSE(store_->put(m, "x")) << app;
    EXPECT_FALSE(store_->list(store::Query{app, Window{m.collected_at, m.collected_at + 1h}, {}, {}, {}}));
  }
  ProfileMeta m = meta(at("2026-03-04T10:00:00Z"), "b1", {{"k", "../.."}});
  EXPECT_FALSE(store_->put(m, "x"));
  m = meta(at("2026-03-04T10:00:00Z"));
  m.host = "evil/../host";
  EXPECT_FALSE(store_->put(m, "x"));
  if (!backend_.dir.empty()) {
    EXPECT_FALSE(fs::exists(backend_.dir.parent_path() / "x"));
  }
}

TEST_P(StoreBehaviour, ConcurrentPutsAtTheSameInstantGetDistinctKeys) {
  TimePoint t0 = at("2026-03-04T10:00:00Z");
  constexpr int kWriters = 12;
  std::vector<std::string> keys(kWriters);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] {
        auto k = store_->put(meta(t0), "same bytes");
        if (k) keys[i] = *k;
      });
    }
  }
  std::set<std::string> distinct(keys.begin(), keys.end());
  distinct.erase("");
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kWriters));
  EXPECT_EQ(keys_of(store::Query{"svc", Window{t0, t0 + 1s}, {}, {}, {}}).size(), static_cast<size_t>(kWriters));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBehaviour, ::testing::Values("file", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace pgopipe::test
