// SPDX-License-Identifier: Apache-2.0
#include "core/fs.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <set>
#include <string>
#include <thread>

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

TEST(ScratchDir, IsFreshAndRemovedWithItsContents) {
  fs::path kept;
  {
    ScratchDir a("pgopipe-test");
    ScratchDir b("pgopipe-test");
    kept = a.path();
    EXPECT_NE(a.path(), b.path());
    ASSERT_TRUE(fs::is_directory(a.path()));
    EXPECT_EQ(a.path().filename().string().rfind("pgopipe-test-", 0), 0u) << a.path();
    fs::create_directories(a.path() / "sub");
    ASSERT_TRUE(write_file_atomic(a.path() / "sub" / "f", "x").ok());
  }
  EXPECT_FALSE(fs::exists(kept)) << kept;
}

// `-o /dev/null` (or a FIFO, /dev/stdout) must receive the bytes, not be replaced by a
// regular file renamed over it; a FIFO stands in for the device here.
TEST(WriteFileAtomic, WritesADeviceOrPipeInPlaceInsteadOfReplacingIt) {
  ScratchDir t("pgopipe-test");
  const fs::path fifo = t.path() / "out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Held open for writing so that the reader neither blocks nor sees the end before the
  // write; closed after it, which ends the reader's stream either way.
  const int held = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(held, 0);
  std::string received;
  std::promise<void> opened;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    opened.set_value();
    received.assign(std::istreambuf_iterator<char>(in), {});
  });
  opened.get_future().wait();
  auto written = write_file_atomic(fifo, "profile bytes");
  ::close(held);
  reader.join();
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(received, "profile bytes");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the pipe was replaced";
  EXPECT_EQ(std::distance(fs::directory_iterator(t.path()), fs::directory_iterator()), 1) << "a temp file was left";
}

// A pipe nobody reads must not hold the writer (the collector, inside its host) forever.
TEST(WriteFileAtomic, APipeWithoutAReaderIsAnErrorNotAWait) {
  ScratchDir t("pgopipe-test");
  const fs::path fifo = t.path() / "unread.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto written = std::async(std::launch::async, [&] { return write_file_atomic(fifo, "profile bytes"); });
  if (written.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
    ADD_FAILURE() << "write_file_atomic waited for a reader";
    const int unblock = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    written.wait();
    ::close(unblock);
    return;
  }
  auto result = written.get();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find(fifo.string()), std::string::npos) << result.error().message;
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Another local user could pre-create (or symlink) a predictable temp name and read or
// swap what pgopipe writes there: scratch directories are new, private and unguessable.
TEST(ScratchDir, IsCreatedExclusivelyWithMode0700) {
  ScratchDir a("pgopipe-test");
  ASSERT_TRUE(a.error().empty()) << a.error();
  EXPECT_EQ(mode_of(a.path()), 0700u);
  ScratchDir parent("pgopipe-fs");
  auto made = make_private_dir(parent.path(), "x");
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(mode_of(*made), 0700u);
}

TEST(RandomHex, ComesFromTheKernelNotASmallSeed) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(random_hex(8));
  EXPECT_EQ(seen.size(), 2000u);
  // A fork child shares no generator state with its parent (a seeded PRNG copied by fork
  // would give both the same sequence).
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t child = ::fork();
  if (child == 0) {
    std::string mine = random_hex(16);
    (void)!::write(pipefd[1], mine.data(), mine.size());
    ::_exit(0);
  }
  std::string parent_value = random_hex(16);
  char buf[32];
  ASSERT_EQ(::read(pipefd[0], buf, sizeof buf), 32);
  EXPECT_NE(std::string(buf, 32), parent_value);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
}

TEST(FileModes, ExactModesForFilesAndNewDirectories) {
  ScratchDir t("pgopipe-fs");
  mode_t old = ::umask(077);  // an exact mode is not narrowed by the umask
  ASSERT_TRUE(make_dirs(t.path() / "a" / "b", dir_mode_for(0640)));
  ASSERT_TRUE(write_file_atomic(t.path() / "a" / "b" / "f", "x", 0640u));
  ::umask(old);
  EXPECT_EQ(mode_of(t.path() / "a"), 0750u);
  EXPECT_EQ(mode_of(t.path() / "a" / "b"), 0750u);
  EXPECT_EQ(mode_of(t.path() / "a" / "b" / "f"), 0640u);
  EXPECT_EQ(dir_mode_for(0600), 0700u);
}

TEST(CheckOwnDir, RefusesSymlinksOthersDirectoriesAndWritableOnes) {
  ScratchDir t("pgopipe-fs");
  fs::path mine = t.path() / "mine";
  ASSERT_TRUE(make_dirs(mine, 0700));
  EXPECT_TRUE(check_own_dir(mine));
  fs::create_directory_symlink(mine, t.path() / "link");
  EXPECT_FALSE(check_own_dir(t.path() / "link"));
  fs::path open_dir = t.path() / "open";
  ASSERT_TRUE(make_dirs(open_dir, 0777));
  auto writable = check_own_dir(open_dir);
  ASSERT_FALSE(writable);
  EXPECT_NE(writable.error().message.find("0777"), std::string::npos) << writable.error().message;
  if (::geteuid() == 0) {  // root can hand a directory to another user
    fs::path theirs = t.path() / "theirs";
    ASSERT_TRUE(make_dirs(theirs, 0700));
    ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
    EXPECT_FALSE(check_own_dir(theirs));
  }
  EXPECT_TRUE(check_own_dir("/tmp", /*parent=*/true));  // root-owned and sticky
}

}  // namespace
}  // namespace pgopipe
