// SPDX-License-Identifier: Apache-2.0
// The installed kind of collector (pgopipe::collector, writing a local spool) inside real
// instrumented hosts: `pgopipe collect spool` uploads what it spooled and the merge equals
// the end-of-run profile; a non-UTF-8 label, a forking host, a stalled S3 server behind the
// sidecar and a full spool disk leave the host's exit status and output untouched; its extra
// memory and CPU per interval are measured.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <boost/process.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "core/fs.hpp"
#include "core/store/store.hpp"
#include "tests/integration/store_backends.hpp"
#include "tests/support/profdata_show.hpp"
#include "tests/support/fault_proxy.hpp"

extern char** environ;

namespace pgopipe::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

std::string describe(const RunResult& r) {
  return fmt::format("exit {}\nstdout:\n{}\nstderr:\n{}", r.exit_code, r.out, r.err);
}

// The spool's complete entries: metadata (as JSON) and payload path, oldest first.
std::vector<std::pair<nlohmann::json, fs::path>> spooled(const fs::path& dir) {
  std::vector<std::pair<nlohmann::json, fs::path>> out;
  std::vector<fs::path> metas;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().ends_with(".meta.json")) metas.push_back(e.path());
  }
  std::sort(metas.begin(), metas.end());
  for (const auto& m : metas) {
    std::string base = m.string().substr(0, m.string().size() - std::string(".meta.json").size());
    out.emplace_back(nlohmann::json::parse(*read_file(m)), base + ".prof");
  }
  return out;
}

// Files left in a directory other than the drain lock: entries or temp files.
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename() != ".lock") out.push_back(e.path().filename().string());
  }
  return out;
}

std::string profdata(const std::vector<std::string>& args) {
  std::vector<std::string> argv{LLVM_PROFDATA};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  return r.out;
}

// The entry count of the function whose name contains `name` in the merge of `profiles`.
uint64_t function_count(const fs::path& work, const std::vector<std::string>& profiles,
                        const std::string& name) {
  std::string merged = (work / ("merged-" + random_hex(4) + ".profdata")).string();
  std::vector<std::string> args{"merge", "-o", merged};
  args.insert(args.end(), profiles.begin(), profiles.end());
  profdata(args);
  std::string shown = profdata({"show", "--function=" + name, "--counts", merged});
  std::smatch m;
  if (!std::regex_search(shown, m, std::regex("Function count: ([0-9]+)"))) return 0;
  return std::stoull(m[1]);
}

class SpoolCollector : public ::testing::Test {
 protected:
  Env env(const std::string& interval = "1s") const {
    return {{"PGOPIPE_APP", "busy"}, {"PGOPIPE_INTERVAL", interval},
            {"PGOPIPE_LABELS", "env=test"}, {"PGOPIPE_SPOOL_DIR", spool().string()},
            {"PGOPIPE_STORE", ""}, {"PGOPIPE_CONFIG", ""},
            {"LLVM_PROFILE_FILE", (tmp_.path() / "end-%p.profraw").string()}};
  }
  [[nodiscard]] fs::path spool() const { return tmp_.path() / "spool"; }
  TempDir tmp_;
};

class SpoolCollectorInstr : public SpoolCollector,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(SpoolCollectorInstr, SidecarUploadsEveryIntervalOnceMergingToTheEndOfRunProfile) {
  const char* exe = GetParam() == "frontend" ? BUSY_SPOOL_EXE : BUSY_SPOOL_IR_EXE;
  RunResult host = run_process({exe, "2.5"}, env());
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  EXPECT_TRUE(host.out.starts_with("rounds ")) << describe(host);
  auto entries = spooled(spool());
  ASSERT_EQ(entries.size(), 3u) << "2 full intervals and the partial one\n" << describe(host);
  fs::path store = tmp_.path() / "store";
  RunResult sidecar = run_process({PGOPIPE_EXE, "collect", "spool", "--dir", spool().string(),
                                   "--store", store.string(), "--once"}, {{"PGOPIPE_CONFIG", ""}});
  ASSERT_EQ(sidecar.exit_code, 0) << describe(sidecar);
  EXPECT_NE(sidecar.err.find("uploaded 3 spooled profile(s)"), std::string::npos) << describe(sidecar);
  EXPECT_TRUE(leftovers(spool()).empty()) << fmt::format("{}", fmt::join(leftovers(spool()), " "));

  auto opened = store::open_store(store.string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  store::Query q;
  q.app = "busy";
  q.window = {now() - 1h, now() + 1h};
  auto objects = (*opened)->list(q);
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 3u);
  std::vector<std::string> pulled{"merge", "-o", (tmp_.path() / "merged.profdata").string()};
  std::set<std::string> seqs, pids;
  for (const auto& o : *objects) {
    seqs.insert(o.meta.labels.at("seq"));
    pids.insert(o.meta.labels.at("pid"));
    EXPECT_EQ(o.meta.labels.at("env"), "test");
    EXPECT_EQ(o.meta.sha256.size(), 64u);
    auto blob = (*opened)->get(o.key);  // checks the bytes against the sha256
    ASSERT_TRUE(blob) << blob.error().message;
    pulled.push_back((tmp_.path() / ("pulled-" + o.meta.labels.at("seq") + ".profraw")).string());
    ASSERT_TRUE(write_file_atomic(pulled.back(), blob->bytes));
  }
  EXPECT_EQ(seqs, (std::set<std::string>{"1", "2", "3"}));
  EXPECT_EQ(pids.size(), 1u);
  profdata(pulled);
  std::vector<std::string> ends;
  for (const auto& e : fs::directory_iterator(tmp_.path())) {
    if (e.path().filename().string().starts_with("end-")) ends.push_back(e.path().string());
  }
  ASSERT_EQ(ends.size(), 1u);
  auto merged = test::show_blocks(profdata({"show", "--all-functions", "--counts", pulled[2]}));
  auto end = test::show_blocks(profdata({"show", "--all-functions", "--counts", ends[0]}));
  EXPECT_GE(end.size(), 3u);
  EXPECT_EQ(merged, end);
}

INSTANTIATE_TEST_SUITE_P(Instrumentation, SpoolCollectorInstr, ::testing::Values("frontend", "ir"),
                         [](const auto& p) { return p.param; });

TEST_F(SpoolCollector, NonUtf8LabelIsLoggedOnceAndTheHostRunsUnharmed) {
  Env e = env("100ms");
  e["PGOPIPE_LABELS"] = "city=Z\xfcrich";
  RunResult host = run_process({BUSY_SPOOL_EXE, "0.5"}, e);
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  EXPECT_TRUE(host.out.starts_with("rounds ")) << describe(host);
  EXPECT_EQ(std::count(host.err.begin(), host.err.end(), '\n'), 1) << describe(host);
  EXPECT_NE(host.err.find("not started: label 'city' value 'Z\\xfcrich' is not valid UTF-8"),
            std::string::npos) << describe(host);
  EXPECT_FALSE(fs::exists(spool()));
}

TEST_F(SpoolCollector, ForkingHostEachProcessCollectsItsOwnCountsOnce) {
  Env fork_env = env("300ms");
  fork_env["FORK_HOST_PROFILE_PREFIX"] = (tmp_.path() / "end").string();
  RunResult host = run_process({FORK_HOST_EXE, "1.5"}, fork_env, 60s);
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  EXPECT_NE(host.out.find("children ok"), std::string::npos) << describe(host);
  std::set<std::string> workers;
  std::smatch m;
  for (auto it = host.out.cbegin();
       std::regex_search(it, host.out.cend(), m, std::regex("worker ([0-9]+)")); it = m.suffix().first) {
    workers.insert(m[1]);
  }
  ASSERT_EQ(workers.size(), 2u) << describe(host);
  std::map<std::string, std::vector<int>> seqs_by_pid;
  std::vector<std::string> collected;
  for (const auto& [meta, payload] : spooled(spool())) {
    seqs_by_pid[meta["labels"]["pid"].get<std::string>()].push_back(std::stoi(meta["labels"]["seq"].get<std::string>()));
    collected.push_back(payload.string());
  }
  for (const auto& w : workers) {
    ASSERT_TRUE(seqs_by_pid.contains(w)) << "worker " << w << " collected nothing\n" << describe(host);
  }
  for (auto& [pid, seqs] : seqs_by_pid) {
    std::sort(seqs.begin(), seqs.end());
    for (size_t i = 0; i < seqs.size(); ++i) {
      EXPECT_EQ(seqs[i], static_cast<int>(i + 1)) << "pid " << pid << ": an interval missing or twice";
    }
  }
  std::vector<std::string> parent_end, worker_ends;
  for (const auto& e : fs::directory_iterator(tmp_.path())) {
    std::string f = e.path().filename().string();
    if (!f.starts_with("end-")) continue;
    (f.starts_with("end-worker-") ? worker_ends : parent_end).push_back(e.path().string());
  }
  ASSERT_EQ(worker_ends.size(), 2u);
  ASSERT_EQ(parent_end.size(), 1u);
  // Work done before the fork is counted once (the workers' end-of-run files repeat it).
  EXPECT_EQ(function_count(tmp_.path(), collected, "prefork_step"), 1000u);
  EXPECT_EQ(function_count(tmp_.path(), collected, "child_step"),
            function_count(tmp_.path(), worker_ends, "child_step"));
  EXPECT_EQ(function_count(tmp_.path(), collected, "parent_step"),
            function_count(tmp_.path(), parent_end, "parent_step"));
  EXPECT_GT(function_count(tmp_.path(), collected, "child_step"), 0u);
}

TEST_F(SpoolCollector, SidecarKeepsTheSpoolWhileTheStoreIsDown) {
  RunResult host = run_process({BUSY_SPOOL_EXE, "1.5"}, env());
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  fs::path store = tmp_.path() / "store";
  ASSERT_TRUE(write_file_atomic(store, "a file where the store's directory should be"));
  std::vector<std::string> once{PGOPIPE_EXE, "collect", "spool", "--dir", spool().string(),
                                "--store", store.string(), "--once"};
  RunResult down = run_process(once, {{"PGOPIPE_CONFIG", ""}});
  EXPECT_EQ(down.exit_code, 5) << describe(down);
  EXPECT_NE(down.err.find("2 profile(s) still wait in " + spool().string()), std::string::npos)
      << describe(down);
  EXPECT_EQ(spooled(spool()).size(), 2u);
  fs::remove(store);
  RunResult up = run_process(once, {{"PGOPIPE_CONFIG", ""}});
  EXPECT_EQ(up.exit_code, 0) << describe(up);
  EXPECT_NE(up.err.find("uploaded 2 spooled profile(s)"), std::string::npos) << describe(up);
  EXPECT_TRUE(leftovers(spool()).empty());
}

TEST_F(SpoolCollector, StalledS3NeverReachesTheHostAndLosesNothing) {
  auto b = make_backend("s3");
  ASSERT_TRUE(b) << b.error().message;
  FaultProxy proxy(b->s3->port());
  ASSERT_TRUE(proxy.error().empty()) << proxy.error();
  ASSERT_TRUE(proxy.set_rules(R"([{"fault": "stall", "after": 0}])"));
  boost::process::environment se = boost::this_process::environment();
  for (const auto& [k, v] : b->s3->client_env()) {
    if (v.empty()) se.erase(k); else se[k] = v;
  }
  se["PGOPIPE_S3_ENDPOINT"] = proxy.endpoint();
  se["PGOPIPE_S3_TIMEOUT"] = "1s";
  se["PGOPIPE_CONFIG"] = "";
  boost::process::child sidecar(PGOPIPE_EXE, "collect", "spool", "--dir", spool().string(), "--store",
                                b->url, "--interval", "200ms", se,
                                boost::process::std_err > (tmp_.path() / "sidecar.err").string());
  RunResult host = run_process({BUSY_SPOOL_EXE, "2.5"}, env());
  EXPECT_EQ(host.exit_code, 0) << describe(host);
  EXPECT_TRUE(host.out.starts_with("rounds ")) << describe(host);
  EXPECT_LT(host.elapsed, 3500ms) << "the host waited for the store\n" << describe(host);
  EXPECT_GT(proxy.stats()["faults"].get<int>(), 0) << "the stall never hit an upload";
  EXPECT_EQ(spooled(spool()).size(), 3u) << "nothing was lost while the store stalled";
  ASSERT_TRUE(proxy.set_rules("[]"));  // the store answers again
  store::StoreOptions o;
  o.s3.endpoint = b->s3->endpoint();
  auto store = store::open_store(b->url, o);
  ASSERT_TRUE(store) << store.error().message;
  store::Query q;
  q.app = "busy";
  q.window = {now() - 1h, now() + 1h};
  std::vector<store::StoredObject> objects;
  for (auto until = std::chrono::steady_clock::now() + 60s;
       objects.size() < 3 && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(200ms)) {
    auto listed = (*store)->list(q);
    if (listed) objects = *listed;
  }
  ::kill(sidecar.id(), SIGTERM);
  sidecar.wait();
  auto sidecar_err = read_file(tmp_.path() / "sidecar.err");
  std::string sidecar_log = sidecar_err ? *sidecar_err : std::string();
  EXPECT_EQ(sidecar.exit_code(), 0) << sidecar_log;
  std::multiset<std::string> seqs;
  for (const auto& obj : objects) seqs.insert(obj.meta.labels.at("seq"));
  EXPECT_EQ(seqs, (std::multiset<std::string>{"1", "2", "3"})) << sidecar_log;
  EXPECT_TRUE(leftovers(spool()).empty()) << sidecar_log;
}

TEST_F(SpoolCollector, FullSpoolDiskLosesOnlyWhatDoesNotFitAndSaysSo) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED LOUDLY: mounting a tmpfs spool needs root";
  fs::create_directories(spool());
  if (::mount("none", spool().c_str(), "tmpfs", 0, "size=16k,mode=0700") != 0) {
    GTEST_SKIP() << "SKIPPED LOUDLY: cannot mount a tmpfs: " << std::strerror(errno);
  }
  RunResult host = run_process({BUSY_SPOOL_EXE, "3.5"}, env());
  size_t kept = spooled(spool()).size();
  auto left = leftovers(spool());
  ::umount2(spool().c_str(), MNT_DETACH);
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  EXPECT_TRUE(host.out.starts_with("rounds ")) << describe(host);
  EXPECT_GE(kept, 1u) << describe(host);
  EXPECT_LT(kept, 4u) << describe(host);
  EXPECT_NE(host.err.find(fmt::format("LOST ({} so far)", 4 - kept)), std::string::npos) << describe(host);
  EXPECT_EQ(left.size(), 2 * kept) << "a temp file was left: " << fmt::format("{}", fmt::join(left, " "));
}

// Peak RSS (KiB) of `argv` run with `env`: its VmHWM, read while it runs (the high-water mark
// only grows). wait4()'s ru_maxrss would include this test's own RSS, which the spawned child
// shares until its exec.
long peak_rss_kib(const std::vector<std::string>& argv, const Env& env) {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> a, en;
  for (const auto& arg : argv) a.push_back(const_cast<char*>(arg.c_str()));
  for (auto& var : envs) en.push_back(var.data());
  a.push_back(nullptr);
  en.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int spawned = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), en.data());
  posix_spawn_file_actions_destroy(&fa);
  if (spawned != 0) return -1;
  long hwm = -1;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    std::smatch m;
    auto text = read_file(fmt::format("/proc/{}/status", pid));
    if (text && std::regex_search(*text, m, std::regex("VmHWM:\\s+([0-9]+) kB"))) hwm = std::stol(m[1]);
    std::this_thread::sleep_for(10ms);
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? hwm : -1;
}

TEST_F(SpoolCollector, ExtraMemoryAndCpuPerIntervalAreSmall) {
#ifdef PGOPIPE_SANITIZED
  GTEST_SKIP() << "SKIPPED LOUDLY: under ASan the peak RSS measures the sanitizer's allocator "
                  "and shadow memory, not the collector";
#endif
  std::vector<long> plain, with;
  for (int i = 0; i < 3; ++i) {  // interleaved pairs
    plain.push_back(peak_rss_kib({BUSY_PLAIN_EXE, "1"}, env("100ms")));
    with.push_back(peak_rss_kib({BUSY_SPOOL_EXE, "1"}, env("100ms")));
  }
  std::sort(plain.begin(), plain.end());
  std::sort(with.begin(), with.end());
  ASSERT_GT(plain[0], 0);
  ASSERT_GT(with[0], 0);
  long extra = with[1] - plain[1];
  std::printf("peak RSS: plain %ld KiB, with the collector %ld KiB (medians of 3), extra %ld KiB\n",
              plain[1], with[1], extra);
  EXPECT_LT(extra, 8 * 1024) << "the collector's memory is not bounded as documented";
  RunResult host = run_process({BUSY_SPOOL_EXE, "1"}, env("100ms"));
  ASSERT_EQ(host.exit_code, 0) << describe(host);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(host.err, m, std::regex(
      "stopped after ([0-9]+) interval\\(s\\); collector thread CPU time ([0-9.]+) ms \\(at most ([0-9.]+) ms")))
      << describe(host);
  std::printf("collector: %s intervals, thread CPU %s ms in total, at most %s ms per interval\n",
              m[1].str().c_str(), m[2].str().c_str(), m[3].str().c_str());
  EXPECT_GE(std::stoi(m[1]), 5);
  EXPECT_LT(std::stod(m[3]), 50.0) << "one interval cost more than 50 ms of CPU";
}

}  // namespace
}  // namespace pgopipe::test
