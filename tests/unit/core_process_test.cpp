// SPDX-License-Identifier: Apache-2.0
#include "core/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

TEST(RunProcess, SucceedsOnExitZero) { EXPECT_TRUE(run_process({"true"})); }

TEST(RunProcess, StdoutCanGoToStderr) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  ASSERT_TRUE(run_process({"echo", "build progress"}, {.stdout_to_stderr = true, .log = false}));
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_EQ(err, "build progress\n");
}

TEST(RunProcess, FailureQuotesTheCommandAndExitCode) {
  auto r = run_process({"sh", "-c", "exit 3", "it's"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Tool);
  EXPECT_NE(r.error().message.find("exit code 3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("sh -c 'exit 3' 'it'\\''s'"), std::string::npos)
      << r.error().message;
}

TEST(RunProcess, MissingExecutableIsNamed) {
  auto r = run_process({"pgopipe-no-such-tool", "x"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'pgopipe-no-such-tool' not found on PATH"), std::string::npos);
}

TEST(RunProcess, RunsInTheGivenDirectory) {
  auto dir = std::filesystem::temp_directory_path();
  EXPECT_TRUE(run_process({"sh", "-c", "test \"$(pwd -P)\" = \"$1\"", "sh",
                           std::filesystem::canonical(dir).string()},
                          {.cwd = dir}));
}

// A hung benchmark or build: the whole process group goes (a shell's children included),
// and the error says it timed out.
TEST(RunProcess, TimeoutKillsTheWholeProcessGroup) {
  ScratchDir dir("pgopipe-grandchild");
  auto pid_file = dir.path() / "pid";
  auto start = std::chrono::steady_clock::now();
  auto r = run_process({"sh", "-c", "sleep 60 & echo $! > \"$1\"; wait", "sh", pid_file.string()},
                       {.timeout = std::chrono::milliseconds{700}});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Tool);
  EXPECT_NE(r.error().message.find("timed out after"), std::string::npos) << r.error().message;
  EXPECT_LT(took, std::chrono::seconds{10});
  auto pid_text = read_file(pid_file);
  ASSERT_TRUE(pid_text) << "the shell never started its child";
  pid_t grandchild = static_cast<pid_t>(std::stol(*pid_text));
  // Dead: gone, or a zombie waiting for whoever inherited it to reap it.
  auto alive = [&] {
    auto stat = read_file("/proc/" + std::to_string(grandchild) + "/stat");
    if (!stat) return false;
    size_t paren = stat->rfind(')');
    return paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] != 'Z';
  };
  for (int i = 0; i < 100 && alive(); ++i) ::usleep(20000);
  EXPECT_FALSE(alive()) << "the grandchild " << grandchild << " survived the timeout";
}

// Children need no cloud credentials: AWS secrets and other secret-looking variables stay here.
TEST(RunProcess, ChildrenDoNotInheritCredentials) {
  ::setenv("AWS_SECRET_ACCESS_KEY", "test-secret", 1);
  ::setenv("AWS_SESSION_TOKEN", "test-token", 1);
  ::setenv("PGOPIPE_TEST_PLAIN", "kept", 1);
  auto r = run_process({"sh", "-c",
                        "test -z \"$AWS_SECRET_ACCESS_KEY$AWS_SESSION_TOKEN\" && "
                        "test \"$PGOPIPE_TEST_PLAIN\" = kept"});
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("PGOPIPE_TEST_PLAIN");
  EXPECT_TRUE(r) << r.error().message;
}

// Build args that carry secrets are not repeated in errors (which end up in reports).
TEST(RunProcess, SecretsAreRedactedInTheQuotedCommand) {
  auto r = run_process({"sh", "-c", "exit 2", "sh", "--build-arg", "NPM_TOKEN=npm-s3cret"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("npm-s3cret"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("NPM_TOKEN=***"), std::string::npos) << r.error().message;
}

// Tools whose output is parsed (perf script, perf buildid-list): every stdout line, in order,
// without its newline; stderr's tail goes into the error of a failing run.
TEST(RunProcess, StdoutLinesAndStderrTail) {
  std::vector<std::string> lines;
  auto r = spawn_and_wait({"sh", "-c", "printf 'one\\ntwo\\n\\nlast'; echo oops >&2; exit 4"},
                          {.on_stdout = [&](std::string_view l) { lines.emplace_back(l); },
                           .stderr_tail = 100});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "last"}));
  EXPECT_EQ(r->stderr_tail, "oops");
  auto failed = run_process({"sh", "-c", "printf 'ear%s\\n' lier >&2; printf 'the rea%s\\n' son >&2; exit 1"},
                            {.stderr_tail = 10});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("exit code 1"), std::string::npos) << failed.error().message;
  EXPECT_NE(failed.error().message.find(": the reason"), std::string::npos) << failed.error().message;
  EXPECT_EQ(failed.error().message.find("earlier"), std::string::npos) << failed.error().message;
}

TEST(RunProcess, StderrLinesDiscardedStdoutAndNullStdin) {
  std::vector<std::string> err;
  auto r = spawn_and_wait({"sh", "-c", "echo out; read x || echo eof >&2"},
                          {.discard_stdout = true,
                           .on_stderr = [&](std::string_view l) { err.emplace_back(l); },
                           .stdin_null = true});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(err, (std::vector<std::string>{"eof"}));
}

// perf record is stopped with SIGINT (it then writes its file): the interruption is polled
// while the child runs and signals it once.
TEST(RunProcess, InterruptSendsSigintOnce) {
  auto start = std::chrono::steady_clock::now();
  auto r = spawn_and_wait(
      {"sh", "-c", "trap 'echo got-int; exit 7' INT; while :; do sleep 0.05; done"},
      {.on_stdout = [](std::string_view) {},
       .interrupt = [&] { return std::chrono::steady_clock::now() - start > std::chrono::milliseconds{300}; }});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->interrupted);
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{10});
}

// A timed-out child whose grandchild holds the output pipe open: the group kill closes it.
TEST(RunProcess, TimeoutWhileReadingOutputEnds) {
  auto start = std::chrono::steady_clock::now();
  auto r = spawn_and_wait({"sh", "-c", "sleep 60 & echo started; wait"},
                          {.timeout = std::chrono::milliseconds{500},
                           .on_stdout = [](std::string_view) {}, .stderr_tail = 100});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out after"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{10});
}

TEST(FindProgram, SearchesPathUnlessTheNameHasASlash) {
  EXPECT_EQ(find_program("sh").filename(), "sh");
  EXPECT_TRUE(find_program("pgopipe-no-such-tool").empty());
  EXPECT_EQ(find_program("./x"), "./x");
}

TEST(QuoteCommand, LeavesPlainWordsAlone) {
  EXPECT_EQ(quote_command({"cmake", "-DPGO=/a/b.profdata", "--build", "x y", ""}),
            "cmake -DPGO=/a/b.profdata --build 'x y' ''");
}

}  // namespace
}  // namespace pgopipe
