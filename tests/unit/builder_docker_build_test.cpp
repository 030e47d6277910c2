// SPDX-License-Identifier: Apache-2.0
#include "builder/docker_build.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

class DockerBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgopipe-docker-build-" + random_hex(6));
    fs::create_directories(dir_ / "ctx");
    std::ofstream(dir_ / "app.afdo") << "main:100:1\n 1: 100\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(DockerBuild, CommandPassesTheProfileInsideTheContext) {
  DockerBuildOptions o{.context = dir_ / "ctx", .dockerfile = "ctx/Dockerfile.app", .tag = "app:pgo",
                       .profile = dir_ / "app.afdo"};
  std::vector<std::string> want{"docker", "build", "--file", "ctx/Dockerfile.app", "--build-arg",
                                "PGO=.pgopipe/app.afdo", "--tag", "app:pgo",
                                (dir_ / "ctx").string()};
  EXPECT_EQ(docker_build_command(o), want);
  o.profile.clear();
  EXPECT_EQ(docker_build_command(o)[5], "PGO=off");
}

// `sh -c` stands in for the docker CLI's argv handling: it checks the copy exists during
// the build; the copy must be gone afterwards, also when the build fails.
TEST_F(DockerBuild, CopiesTheProfileForTheBuildAndRemovesItAfterwards) {
  fs::path script = dir_ / "fake-docker.sh";
  std::ofstream(script) << "#!/bin/sh\nfor a; do last=$a; done\n"
                        << "test -f \"$last/.pgopipe/app.afdo\" || exit 9\nexit ${FAKE_RC:-0}\n";
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

TEST_F(DockerBuild, NeverOverwritesAFileInTheContext) {
  fs::create_directories(dir_ / "ctx/.pgopipe");
  std::ofstream(dir_ / "ctx/.pgopipe/app.afdo") << "mine";
  auto r = build_with_docker({.context = dir_ / "ctx", .tag = "t", .profile = dir_ / "app.afdo",
                              .docker = "true"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Usage);
  EXPECT_TRUE(fs::exists(dir_ / "ctx/.pgopipe/app.afdo"));
}

}  // namespace
}  // namespace pgopipe
