// SPDX-License-Identifier: Apache-2.0
// `pgopipe gc` deleting a window while `pgopipe pull` downloads it, on both stores, a few
// rounds, gc starting as soon as the first pulled file appears: every pulled file is a whole
// pushed profile, the objects gc removed under the pull are reported as a warning with their
// count (exit 0), pulled + vanished accounts for every listed object, and the race (gc
// removing objects under the pull) happened in at least one round.
#include <nlohmann/json.hpp>

#include <boost/process.hpp>
#include <thread>

#include "core/fs.hpp"
#include "tests/integration/faults/fault_cli.hpp"

namespace pgopipe::test {
namespace {

using nlohmann::json;
namespace bp = boost::process;

class GcRace : public ::testing::TestWithParam<std::string> {};

TEST_P(GcRace, PullNeverYieldsACorruptFile) {
  auto b = make_backend(GetParam());
  ASSERT_TRUE(b) << b.error().message;
  ScratchDir tmp{"pgopipe-test"};
  int saw_vanished = 0;
  // At least 4 rounds, and more (up to 16) until gc has removed objects under a pull at least
  // once: on a fast local store the pull can win the race several times in a row.
  const int min_rounds = 4, max_rounds = 16;
  int rounds = 0;
  // Local pulls are quick: larger objects keep the pull busy long enough for gc to start.
  const size_t object_bytes = GetParam() == "file" ? 1'000'000 : 40'000;
  for (int round = 0; round < max_rounds && (round < min_rounds || saw_vanished == 0); ++round) {
    ++rounds;
    SCOPED_TRACE(fmt::format("round {}", round));
    std::set<std::string> pushed;
    std::vector<std::string> push{"push", "--allow-unknown"};
    for (int i = 0; i < 40; ++i) {
      std::string bytes = distinct_bytes(object_bytes);
      fs::path f = tmp.path() / fmt::format("r{}-{}.prof", round, i);
      ASSERT_TRUE(write_file_atomic(f, bytes));
      pushed.insert(sha256_hex(bytes));
      push.push_back(f.string());
    }
    push.insert(push.end(), {"--app", "web", "--collected-at", format_rfc3339(now() - 2h),
                             "--concurrency", "8"});
    auto pushed_run = pgopipe_run(*b, push);
    ASSERT_EQ(pushed_run.exit_code, 0) << describe(pushed_run);

    fs::path out = tmp.path() / fmt::format("out{}", round);
    // The pull is a plain child waited for by this thread: Boost.Process's wait_for in two
    // threads at once steals the other's SIGCHLD and stalls until its timeout.
    bp::environment env = boost::this_process::environment();
    env.erase("PGOPIPE_CONFIG");
    env.erase("PGOPIPE_STORE");
    if (b->s3) {
      for (const auto& [k, v] : b->s3->client_env()) {
        if (v.empty()) env.erase(k); else env[k] = v;
      }
    }
    fs::path pull_out = tmp.path() / fmt::format("pull{}.out", round);
    fs::path pull_err = tmp.path() / fmt::format("pull{}.err", round);
    bp::child pull(PGOPIPE_BINARY,
                   bp::args = {"pull", "--app", "web", "--since", "1d", "-o", out.string(),
                               "--concurrency", "1", "--json", "--store", b->url},
                   env, bp::std_out > pull_out.string(), bp::std_err > pull_err.string(),
                   bp::std_in < bp::null);
    // gc starts once the download phase has begun (the first file, complete or temporary,
    // appears in the output directory), whatever the machine's speed.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::error_code ec;
    while (pull.running() && std::chrono::steady_clock::now() < deadline &&
           (!fs::exists(out, ec) || fs::recursive_directory_iterator(out, ec) == fs::recursive_directory_iterator())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto gc = pgopipe_run(*b, {"gc", "--app", "web", "--older-than", "1h", "--concurrency", "8"});
    pull.wait();
    RunResult r;
    r.exit_code = pull.exit_code();
    r.out = read_file(pull_out).value();
    r.err = read_file(pull_err).value();
    ASSERT_EQ(gc.exit_code, 0) << describe(gc);

    // An object gc'd mid-pull is not corruption: the pull succeeds and says what vanished.
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    json result = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(result.is_object()) << describe(r);
    auto files = expect_only_complete_files(out, pushed);
    EXPECT_EQ(files.size(), result["files"].size()) << describe(r);
    std::set<std::string> distinct(files.begin(), files.end());
    EXPECT_EQ(distinct.size(), files.size()) << "a profile was pulled twice";
    size_t vanished = result["vanished"].size();
    EXPECT_LE(files.size() + vanished, pushed.size());
    if (vanished > 0) {
      ++saw_vanished;
      EXPECT_NE(r.err.find(fmt::format("{} listed profile(s) were removed from the store before "
                                       "they could be pulled", vanished)),
                std::string::npos)
          << describe(r);
    }
    auto left = pgopipe_run(*b, {"ls", "--app", "web", "--since", "1d", "--json"});
    ASSERT_EQ(left.exit_code, 0) << describe(left);
    EXPECT_EQ(json::parse(left.out).size(), 0u) << "gc left objects behind";
  }
  std::printf("[gc race %s] rounds where gc removed objects under the pull: %d of %d\n",
              GetParam().c_str(), saw_vanished, rounds);
  EXPECT_GE(saw_vanished, 1) << "gc never removed an object under the pull: the race was not tested";
}

INSTANTIATE_TEST_SUITE_P(Backends, GcRace, ::testing::Values("file", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace pgopipe::test
