// SPDX-License-Identifier: Apache-2.0
// A full disk under `pgopipe pull -o` and `pgopipe merge -o`: a 1 MiB tmpfs as the output
// directory. Expected: exit 7 (Io) with a message naming the path and "No space left on
// device", no temp file left behind, no partial output, a previous output file unchanged.
// Mounting needs root; otherwise the test reruns itself in a user + mount namespace
// (`unshare -rm`), and skips loudly if neither is available.
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>

#include "core/fs.hpp"
#include "tests/integration/faults/fault_cli.hpp"

namespace pgopipe::test {
namespace {

constexpr const char* kInNamespace = "PGOPIPE_FAULTS_IN_USERNS";

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      rerun_in_namespace();
      return;
    }
    disk_ = tmp_.path() / "tiny";
    fs::create_directories(disk_);
    if (::mount("none", disk_.c_str(), "tmpfs", 0, "size=1m") != 0) {
      GTEST_SKIP() << "SKIPPED LOUDLY: cannot mount a 1 MiB tmpfs on " << disk_ << ": "
                   << std::strerror(errno) << " (needs root or user namespaces)";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }

  // Runs this very test as (namespace) root: its result is the child's.
  void rerun_in_namespace() {
    if (std::getenv(kInNamespace) != nullptr) {
      GTEST_SKIP() << "SKIPPED LOUDLY: not root even inside `unshare -rm`";
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string filter = fmt::format("--gtest_filter={}.{}", info->test_suite_name(), info->name());
    auto r = run_process({"/usr/bin/unshare", "-rm", "--", fs::read_symlink("/proc/self/exe").string(),
                          filter},
                         {{kInNamespace, "1"}});
    if (r.exit_code != 0 && r.out.find("[ RUN") == std::string::npos) {
      GTEST_SKIP() << "SKIPPED LOUDLY: neither root nor user namespaces (unshare -rm: " << r.err
                   << ")";
    }
    EXPECT_EQ(r.exit_code, 0) << "inside unshare -rm:\n" << r.out << r.err;
    EXPECT_EQ(r.out.find("SKIPPED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[  PASSED  ] 1 test"), std::string::npos) << r.out;
    std::printf("ran inside unshare -rm (user + mount namespace): exit %d\n", r.exit_code);
    delegated_ = true;  // the test body ran in the child; its result is this test's
  }

  // Fills the tmpfs until a write fails with ENOSPC.
  void fill_disk() {
    std::ofstream filler(disk_ / "filler", std::ios::binary);
    std::string block(65536, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) filler.flush();
  }

  std::vector<fs::path> temp_files() {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(disk_)) {
      if (e.path().filename().string().front() == '.') out.push_back(e.path());
    }
    return out;
  }

  ScratchDir tmp_{"pgopipe-test"};
  fs::path disk_;
  bool mounted_ = false;
  bool delegated_ = false;
};

TEST_F(DiskFull, PullStopsWithAClearErrorAndOnlyWholeFiles) {
  if (delegated_) return;
  auto b = make_backend("file");
  ASSERT_TRUE(b) << b.error().message;
  std::set<std::string> pushed;
  std::vector<std::string> push{"push", "--allow-unknown"};
  for (int i = 0; i < 4; ++i) {  // 4 x 400 KB into 1 MiB: the third cannot fit
    std::string bytes = distinct_bytes(400000);
    fs::path f = tmp_.path() / fmt::format("p{}.prof", i);
    ASSERT_TRUE(write_file_atomic(f, bytes));
    pushed.insert(sha256_hex(bytes));
    push.push_back(f.string());
  }
  push.insert(push.end(), {"--app", "web"});
  auto pushed_run = pgopipe_run(*b, push);
  ASSERT_EQ(pushed_run.exit_code, 0) << describe(pushed_run);
  fs::path out = disk_ / "out";
  fs::create_directories(out);
  ASSERT_TRUE(write_file_atomic(out / "notes.txt", "kept"));

  auto r = pgopipe_run(*b, {"pull", "--app", "web", "--since", "1h", "-o", out.string(),
                            "--concurrency", "1"});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find(out.string() + "/web_"), std::string::npos) << "names the file: " << describe(r);
  EXPECT_TRUE(temp_files().empty()) << "temp file left: " << temp_files().front();
  EXPECT_EQ(*read_file(out / "notes.txt"), "kept");
  fs::remove(out / "notes.txt");
  auto whole = expect_only_complete_files(out, pushed);
  EXPECT_LT(whole.size(), pushed.size());
  fs::remove_all(b->dir);
}

TEST_F(DiskFull, MergeKeepsThePreviousOutputUnchanged) {
  if (delegated_) return;
  fs::path data = fs::path(PGOPIPE_SOURCE_DIR) / "tests/data/llvm";
  fs::path out = disk_ / "merged.prof";
  ASSERT_TRUE(write_file_atomic(out, "the previous profile"));
  fill_disk();
  auto r = run_process({PGOPIPE_BINARY, "merge", (data / "sample_a.txt").string(),
                        (data / "sample_b.txt").string(), "-o", out.string()},
                       {{"PGOPIPE_CONFIG", ""}});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find(out.string()), std::string::npos) << "names the output: " << describe(r);
  EXPECT_EQ(*read_file(out), "the previous profile");
  EXPECT_TRUE(temp_files().empty()) << "temp file left: " << temp_files().front();

  // With room again the same merge works: the failure was the disk, nothing else.
  fs::remove(disk_ / "filler");
  auto ok = run_process({PGOPIPE_BINARY, "merge", (data / "sample_a.txt").string(),
                         (data / "sample_b.txt").string(), "-o", out.string()},
                        {{"PGOPIPE_CONFIG", ""}});
  EXPECT_EQ(ok.exit_code, 0) << describe(ok);
  EXPECT_NE(*read_file(out), "the previous profile");
}

}  // namespace
}  // namespace pgopipe::test
