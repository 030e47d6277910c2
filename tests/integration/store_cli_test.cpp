// SPDX-License-Identifier: Apache-2.0
// The real pgopipe binary against both stores (push -> ls -> pull -> gc), boto3 as an
// independent S3 peer, and the failure paths: wrong credentials, missing bucket,
// unreachable endpoint, and a connection dropped in the middle of a pull.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <algorithm>
#include <atomic>
#include <map>
#include <sstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/store/key_layout.hpp"
#include "tests/integration/store_backends.hpp"
#include "tests/support/fault_proxy.hpp"

namespace pgopipe::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

class Pgopipe {
 public:
  explicit Pgopipe(Backend backend) : backend_(std::move(backend)) {}

  RunResult operator()(std::vector<std::string> args,
                       std::map<std::string, std::string> env_overrides = {}) const {
    std::vector<std::string> argv{PGOPIPE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--store", backend_.url});
    std::map<std::string, std::string> env{{"PGOPIPE_CONFIG", ""}, {"PGOPIPE_STORE", ""}};
    if (backend_.s3) env = backend_.s3->client_env();
    env["PGOPIPE_S3_RETRIES"] = "2";
    for (auto& [k, v] : env_overrides) env[k] = v;
    return run_process(argv, env, 120s);
  }

 private:
  Backend backend_;
};

std::string describe(const RunResult& r) {
  return fmt::format("exit {}\nstdout:\n{}\nstderr:\n{}", r.exit_code, r.out, r.err);
}

std::string write(const fs::path& path, const std::string& bytes) {
  EXPECT_TRUE(write_file_atomic(path, bytes));
  return path.string();
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class StoreCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto b = make_backend(GetParam());
    ASSERT_TRUE(b) << b.error().message;
    backend_ = *b;
  }
  Backend backend_;
  ScratchDir tmp_{"pgopipe-test"};
};

TEST_P(StoreCli, PushLsPullGcRoundTrip) {
  Pgopipe pgopipe(backend_);
  TimePoint t = now();
  auto push = [&](const std::string& file, Duration age) {
    auto r = pgopipe({"push", file, "--allow-unknown", "--allow-duplicate", "--app", "web", "--collected-at", format_rfc3339(t - age),
                      "--build-id", "b1", "--label", "env=prod"});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
  };
  push(write(tmp_.path() / "a.prof", "profile a"), 1h);
  push(write(tmp_.path() / "b.prof", "profile b"), 2h);
  push(write(tmp_.path() / "old.prof", "profile old"), 24h * 40);

  auto ls = pgopipe({"ls", "--app", "web", "--since", "24h", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  json listed = json::parse(ls.out);
  ASSERT_EQ(listed.size(), 2u) << ls.out;
  EXPECT_EQ(listed[0]["meta"]["build_id"], "b1");
  EXPECT_EQ(listed[0]["meta"]["labels"]["env"], "prod");

  fs::path out = tmp_.path() / "out";
  auto pull = pgopipe({"pull", "--app", "web", "--since", "24h", "-o", out.string()});
  ASSERT_EQ(pull.exit_code, 0) << describe(pull);
  auto files = files_in(out);
  ASSERT_EQ(files.size(), 2u);
  std::set<std::string> contents;
  for (const auto& f : files) contents.insert(*read_file(f));
  EXPECT_EQ(contents, (std::set<std::string>{"profile a", "profile b"}));

  auto dry = pgopipe({"gc", "--app", "web", "--older-than", "30d", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << describe(dry);
  auto all = pgopipe({"ls", "--app", "web", "--since", "60d", "--json"});
  EXPECT_EQ(json::parse(all.out).size(), 3u) << all.out;
  auto gc = pgopipe({"gc", "--app", "web", "--older-than", "30d"});
  ASSERT_EQ(gc.exit_code, 0) << describe(gc);
  all = pgopipe({"ls", "--app", "web", "--since", "60d", "--json"});
  EXPECT_EQ(json::parse(all.out).size(), 2u) << all.out;
}

// A retention under an hour deletes what was just pushed: refused without --force; a gc
// says how many objects it deletes before it deletes them.
TEST_P(StoreCli, GcUnderAnHourNeedsForceAndAnnouncesItsCount) {
  Pgopipe pgopipe(backend_);
  auto push = pgopipe({"push", write(tmp_.path() / "fresh", "fresh profile"), "--allow-unknown", "--app", "web"});
  ASSERT_EQ(push.exit_code, 0) << describe(push);
  auto refused = pgopipe({"gc", "--app", "web", "--older-than", "0s"});
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << describe(refused);
  auto still = pgopipe({"ls", "--app", "web", "--since", "1h", "--json"});
  EXPECT_EQ(json::parse(still.out).size(), 1u) << still.out;
  auto dry = pgopipe({"gc", "--app", "web", "--older-than", "0s", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << describe(dry);
  EXPECT_NE(dry.out.find("web/"), std::string::npos) << describe(dry);  // lists the key
  auto forced = pgopipe({"gc", "--app", "web", "--older-than", "0s", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << describe(forced);
  size_t announced = forced.err.find("deleting 1 profile(s) of web");
  ASSERT_NE(announced, std::string::npos) << describe(forced);
  EXPECT_LT(announced, forced.err.find("deleted 1 profile(s)")) << describe(forced);
  auto gone = pgopipe({"ls", "--app", "web", "--since", "1h", "--json"});
  EXPECT_EQ(json::parse(gone.out).size(), 0u) << gone.out;
}

TEST_P(StoreCli, NonUtf8LabelIsAUsageErrorAndStoresNothing) {
  Pgopipe pgopipe(backend_);
  auto r = pgopipe({"push", write(tmp_.path() / "a.prof", "profile a"), "--allow-unknown", "--app", "web",
                    "--label", "city=Z\xfcrich"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("label 'city' value 'Z\\xfcrich' is not valid UTF-8"), std::string::npos)
      << describe(r);
  auto ls = pgopipe({"ls", "--app", "web", "--since", "24h", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  EXPECT_EQ(json::parse(ls.out).size(), 0u) << ls.out;
  if (!backend_.dir.empty()) {
    for (const auto& e : fs::recursive_directory_iterator(backend_.dir)) {
      EXPECT_FALSE(e.is_regular_file()) << "left behind: " << e.path();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCli, ::testing::Values("file", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class S3Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = make_backend("s3");
    ASSERT_TRUE(b) << b.error().message;
    backend_ = *b;
    server_ = backend_.s3;
  }
  // Pushes one file through pgopipe and returns its key (relative to the store).
  std::string push(const std::string& bytes, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"push", write(tmp_.path() / random_hex(4), bytes), "--allow-unknown",
                                  "--allow-duplicate", "--app", "web"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Pgopipe(backend_)(args);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return r.out.substr(r.out.find('\t') + 1, r.out.find('\n') - r.out.find('\t') - 1);
  }
  Backend backend_;
  S3Server* server_ = nullptr;
  ScratchDir tmp_{"pgopipe-test"};
};

// The labels header as boto3 returns it, decoded here independently of pgopipe's reader:
// "k=v,k=v" with each key and value percent-encoded (the header must stay ASCII).
std::map<std::string, std::string> decode_labels(const std::string& header) {
  auto unescape = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> labels;
  std::istringstream in(header);
  for (std::string item; std::getline(in, item, ',');) {
    size_t eq = item.find('=');
    EXPECT_NE(eq, std::string::npos) << header;
    if (eq != std::string::npos) labels[unescape(item.substr(0, eq))] = unescape(item.substr(eq + 1));
  }
  return labels;
}

TEST_F(S3Cli, Boto3ReadsWhatPgopipePushed) {
  std::string bytes(70000, 'p');
  const std::map<std::string, std::string> labels{
      {"env", "prod"}, {"team", "core infra"}, {"mix", "a,b=c%d \u00e9"}};
  std::vector<std::string> args{"--build-id", "feed01", "--host", "h1"};
  for (const auto& [k, v] : labels) args.insert(args.end(), {"--label", k + "=" + v});
  std::string key = push(bytes, args);
  auto head = run_peer(*server_, {"head", server_->bucket(), backend_.prefix + "/" + key});
  ASSERT_TRUE(head) << head.error().message;
  json meta = json::parse(*head)["metadata"];
  EXPECT_EQ(meta["app"], "web");
  EXPECT_EQ(meta["build-id"], "feed01");
  EXPECT_EQ(meta["host"], "h1");
  std::string header = meta["labels"].get<std::string>();
  EXPECT_TRUE(std::all_of(header.begin(), header.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
      << header;
  EXPECT_EQ(decode_labels(header), labels) << header;
  EXPECT_EQ(meta["sha256"], sha256_hex(bytes));
  EXPECT_EQ(meta["size"], std::to_string(bytes.size()));
  fs::path copy = tmp_.path() / "copy";
  ASSERT_TRUE(run_peer(*server_, {"get", server_->bucket(), backend_.prefix + "/" + key, copy.string()}));
  EXPECT_EQ(*read_file(copy), bytes);
}

TEST_F(S3Cli, PgopipeListsAndPullsWhatBoto3Wrote) {
  std::string bytes = "written by another client";
  TimePoint t = now() - 30min;
  ProfileMeta m;
  m.app = "web";
  m.collected_at = t;
  m.host = "peerhost";
  m.format = ProfileFormat::PerfScript;
  std::string key = store::object_key(m, "0123abcd");
  fs::path file = write(tmp_.path() / "peer.bin", bytes);
  ASSERT_TRUE(run_peer(*server_, {"put", server_->bucket(), backend_.prefix + "/" + key, file.string(),
                                  "app=web", "format=perf-script", "collected-at=" + format_rfc3339(t),
                                  "sha256=" + sha256_hex(bytes), "size=" + std::to_string(bytes.size()),
                                  "host=peerhost", "build-id=cafe"}));
  Pgopipe pgopipe(backend_);
  auto ls = pgopipe({"ls", "--app", "web", "--since", "1h", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  json listed = json::parse(ls.out);
  ASSERT_EQ(listed.size(), 1u) << ls.out;
  EXPECT_EQ(listed[0]["key"], key);
  EXPECT_EQ(listed[0]["meta"]["build_id"], "cafe");
  fs::path out = tmp_.path() / "out";
  auto pull = pgopipe({"pull", "--app", "web", "--since", "1h", "-o", out.string()});
  ASSERT_EQ(pull.exit_code, 0) << describe(pull);
  auto files = files_in(out);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(*read_file(files[0]), bytes);
}

TEST_F(S3Cli, WrongCredentialsFailWithTheServersReason) {
  Pgopipe pgopipe(backend_);
  auto wrong_secret = pgopipe({"ls", "--app", "web", "--since", "1h"},
                              {{"AWS_SECRET_ACCESS_KEY", "not-the-secret"}});
  EXPECT_EQ(wrong_secret.exit_code, 5) << describe(wrong_secret);
  EXPECT_NE(wrong_secret.err.find("SignatureDoesNotMatch"), std::string::npos) << describe(wrong_secret);
  EXPECT_NE(wrong_secret.err.find("HTTP 403"), std::string::npos) << describe(wrong_secret);
  auto wrong_key = pgopipe({"ls", "--app", "web", "--since", "1h"},
                           {{"AWS_ACCESS_KEY_ID", "AKIANOTAREALKEY00000"}});
  EXPECT_EQ(wrong_key.exit_code, 5) << describe(wrong_key);
  EXPECT_NE(wrong_key.err.find("InvalidAccessKeyId"), std::string::npos) << describe(wrong_key);
}

TEST_F(S3Cli, MissingBucketIsNamed) {
  Backend missing = backend_;
  missing.url = "s3://no-such-bucket/x";
  auto r = Pgopipe(missing)({"ls", "--app", "web", "--since", "1h"});
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("NoSuchBucket"), std::string::npos) << describe(r);
}

TEST_F(S3Cli, UnreachableEndpointFailsWithinBoundedTime) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // nothing listens on this port now
  std::string endpoint = fmt::format("http://127.0.0.1:{}", ntohs(addr.sin_port));
  auto r = Pgopipe(backend_)({"ls", "--app", "web", "--since", "1h", "--s3-endpoint", endpoint});
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("cannot connect to " + endpoint), std::string::npos) << describe(r);
  EXPECT_LT(r.elapsed, 20s);
  auto dns = Pgopipe(backend_)({"ls", "--app", "web", "--since", "1h", "--s3-endpoint",
                                "http://pgopipe-no-such-host.invalid:9000"});
  EXPECT_EQ(dns.exit_code, 5) << describe(dns);
  EXPECT_NE(dns.err.find("cannot resolve"), std::string::npos) << describe(dns);
  EXPECT_LT(dns.elapsed, 30s);
}

TEST_F(S3Cli, SecretsNeverAppearInLogs) {
  push("x");
  auto r = Pgopipe(backend_)({"pull", "--app", "web", "--since", "1h", "-o",
                              (tmp_.path() / "o").string(), "--log-level", "trace"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("s3: GET"), std::string::npos) << "trace logging should show requests";
  EXPECT_EQ(r.err.find(server_->secret_key()), std::string::npos);
  EXPECT_EQ(r.err.find("Authorization"), std::string::npos);
  EXPECT_EQ(r.err.find("Signature="), std::string::npos);
}

TEST_F(S3Cli, ConnectionDroppedMidPullLeavesNoPartialFile) {
  for (int i = 0; i < 3; ++i) push(std::string(1500000, static_cast<char>('a' + i)));
  fs::path out = tmp_.path() / "out";
  RunResult r;
  {
    FaultProxy proxy(server_->port());  // object bodies are cut after 256 KiB
    ASSERT_TRUE(proxy.error().empty()) << proxy.error();
    ASSERT_TRUE(proxy.set_rules(R"([{"fault": "reset", "after": 262144}])"));
    r = Pgopipe(backend_)({"pull", "--app", "web", "--since", "1h", "-o", out.string(),
                           "--s3-endpoint", proxy.endpoint()});
  }
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("/web/"), std::string::npos) << "the error should name the key: " << describe(r);
  EXPECT_NE(r.err.find("broke during the transfer"), std::string::npos) << describe(r);
  EXPECT_LT(r.elapsed, 30s);
  EXPECT_TRUE(files_in(out).empty()) << "left behind: " << files_in(out).front();
  // The same pull straight from the server works: nothing was damaged.
  auto ok = Pgopipe(backend_)({"pull", "--app", "web", "--since", "1h", "-o", out.string()});
  EXPECT_EQ(ok.exit_code, 0) << describe(ok);
  EXPECT_EQ(files_in(out).size(), 3u);
}

TEST_F(S3Cli, ServerErrorsAreRetriedThenReported) {
  push("retry me");
  {
    FaultProxy proxy(server_->port());  // three 503s, then the real server
    ASSERT_TRUE(proxy.error().empty()) << proxy.error();
    ASSERT_TRUE(proxy.set_rules(R"([{"fault": "status", "status": 503, "count": 3}])"));
    auto r = Pgopipe(backend_)({"pull", "--app", "web", "--since", "1h", "-o",
                                (tmp_.path() / "ok").string(), "--s3-endpoint", proxy.endpoint()},
                               {{"PGOPIPE_S3_RETRIES", "4"}});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(files_in(tmp_.path() / "ok").size(), 1u);
  }
  FaultProxy proxy(server_->port());  // always 503
  ASSERT_TRUE(proxy.error().empty()) << proxy.error();
  ASSERT_TRUE(proxy.set_rules(R"([{"fault": "status", "status": 503}])"));
  auto r = Pgopipe(backend_)({"pull", "--app", "web", "--since", "1h", "-o",
                              (tmp_.path() / "fail").string(), "--s3-endpoint", proxy.endpoint()});
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("HTTP 503 SlowDown"), std::string::npos) << describe(r);
}

TEST_F(S3Cli, ServerKilledMidPullLeavesNoPartialFile) {
  // A server of its own: this test kills it.
  auto own = S3Server::start();
  ASSERT_TRUE(own) << own.error().message;
  Backend b = backend_;
  b.s3 = own->get();
  b.url = b.s3->store_url("killed");
  std::vector<std::string> files;
  for (int i = 0; i < 300; ++i) files.push_back(write(tmp_.path() / fmt::format("p{}", i), std::string(20000, 'k')));
  std::vector<std::string> args{"push", "--allow-unknown", "--allow-duplicate"};
  args.insert(args.end(), files.begin(), files.end());
  args.insert(args.end(), {"--app", "web", "--concurrency", "8", "--s3-endpoint", b.s3->endpoint()});
  auto pushed = Pgopipe(b)(args);
  ASSERT_EQ(pushed.exit_code, 0) << describe(pushed);
  fs::path out = tmp_.path() / "out";
  // The server dies once the pull has written its first whole file (an event, whatever the
  // machine's speed), so the pull is surely mid-way and the loop below checks real files.
  std::atomic<bool> pull_done{false};
  std::jthread killer([&] {
    auto deadline = std::chrono::steady_clock::now() + 120s;
    auto whole_file = [&] {
      auto f = files_in(out);
      return std::any_of(f.begin(), f.end(), [](const fs::path& p) { return p.filename().string().front() != '.'; });
    };
    while (!pull_done && !whole_file() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    b.s3->kill();
  });
  auto r = Pgopipe(b)({"pull", "--app", "web", "--since", "1h", "-o", out.string(), "--concurrency",
                       "1", "--s3-endpoint", b.s3->endpoint()});
  pull_done = true;
  killer.join();
  ASSERT_NE(r.exit_code, 0) << "the pull finished before the server was killed; " << describe(r);
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_NE(r.err.find("cannot connect to " + b.s3->endpoint()), std::string::npos) << describe(r);
  EXPECT_FALSE(files_in(out).empty()) << "no file was pulled before the kill";
  for (const auto& f : files_in(out)) {  // whatever completed is whole; nothing else is there
    EXPECT_NE(f.filename().string().front(), '.') << "temp file left: " << f;
    EXPECT_EQ(fs::file_size(f), 20000u) << f;
  }
}

}  // namespace
}  // namespace pgopipe::test
