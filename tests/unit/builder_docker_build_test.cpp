// SPDX-License-Identifier: Apache-2.0
#include "builder/docker_build.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "core/fs.hpp"

namespace pgopipe::build {
namespace {
namespace fs = std::filesystem;

class DockerBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "ctx");
    std::ofstream(dir_ / "app.afdo") << "main:100:1\n 1: 100\n";
  }
  ScratchDir scratch_{"pgopipe-docker-build"};
  fs::path dir_ = scratch_.path();
};

TEST_F(DockerBuild, CommandPassesTheProfileInsideTheContext) {
  DockerBuildOptions o{.context = dir_ / "ctx", .dockerfile = "ctx/Dockerfile.app", .tag = "app:pgo",
                       .profile = dir_ / "app.afdo"};
  fs::path staged = context_profile_path(o.profile);
  std::vector<std::string> want{"docker", "build", "--file", "ctx/Dockerfile.app", "--build-arg",
                                "PGO=" + staged.string(), "--tag", "app:pgo",
                                (dir_ / "ctx").string()};
  EXPECT_EQ(docker_build_command(o, staged), want);
  // Unique per build: .pgopipe/app.<pid>.<random>.afdo
  EXPECT_TRUE(staged.string().starts_with(".pgopipe/app." + std::to_string(::getpid()) + "."))
      << staged;
  EXPECT_EQ(staged.extension(), ".afdo");
  EXPECT_NE(context_profile_path(o.profile), staged);
  o.profile.clear();
  EXPECT_EQ(docker_build_command(o)[5], "PGO=off");
}

// `sh -c` stands in for the docker CLI's argv handling: it checks the copy exists during
// the build; the copy must be gone afterwards, also when the build fails.
TEST_F(DockerBuild, CopiesTheProfileForTheBuildAndRemovesItAfterwards) {
  fs::path script = dir_ / "fake-docker.sh";
  std::ofstream(script) << "#!/bin/sh\nfor a; do last=$a; done\n"
                        << "for p; do case $p in PGO=*) staged=${p#PGO=};; esac; done\n"
                        << "test -f \"$last/$staged\" || exit 9\nexit ${FAKE_RC:-0}\n";
  fs::permissions(script, fs::perms::owner_all);
  DockerBuildOptions o{.context = dir_ / "ctx", .tag = "t", .profile = dir_ / "app.afdo",
                       .docker = script.string()};
  ASSERT_TRUE(build_with_docker(o));
  EXPECT_FALSE(fs::exists(dir_ / "ctx/.pgopipe"));
  setenv("FAKE_RC", "4", 1);
  auto r = build_with_docker(o);
  unsetenv("FAKE_RC");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exit code 4"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "ctx/.pgopipe"));
}

TEST_F(DockerBuild, NeverTouchesAFileOfTheUserInTheContext) {
  fs::create_directories(dir_ / "ctx/.pgopipe");
  std::ofstream(dir_ / "ctx/.pgopipe/app.afdo") << "mine";
  auto r = build_with_docker({.context = dir_ / "ctx", .tag = "t", .profile = dir_ / "app.afdo",
                              .docker = "true"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*read_file(dir_ / "ctx/.pgopipe/app.afdo"), "mine");
}

// A build killed with SIGKILL (the whole process group, as a scheduler's hard stop does)
// leaves its profile copy in the context; the next build must still run, and remove it.
TEST_F(DockerBuild, CopyLeftByAKilledBuildDoesNotBlockTheNextOne) {
  fs::path script = dir_ / "slow-docker.sh";
  std::ofstream(script) << "#!/bin/sh\ntouch \"$STARTED\"\nexec sleep 30\n";
  fs::permissions(script, fs::perms::owner_all);
  fs::path started = dir_ / "started";
  ::setenv("STARTED", started.c_str(), 1);
  DockerBuildOptions o{.context = dir_ / "ctx", .tag = "t", .profile = dir_ / "app.afdo",
                       .docker = script.string()};
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setpgid(0, 0);
    (void)build_with_docker(o);
    ::_exit(0);
  }
  ::setpgid(child, child);
  for (int i = 0; i < 300 && !fs::exists(started); ++i) ::usleep(20000);
  ::unsetenv("STARTED");
  ASSERT_TRUE(fs::exists(started)) << "the build never started";
  ::kill(-child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(dir_ / "ctx/.pgopipe")) left.push_back(e.path());
  ASSERT_EQ(left.size(), 1u) << "the killed build left no copy: nothing to test";

  o.docker = "true";
  auto r = build_with_docker(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(fs::exists(left[0])) << "the stale copy was not removed";
}

}  // namespace
}  // namespace pgopipe::build
