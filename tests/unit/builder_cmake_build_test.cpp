// SPDX-License-Identifier: Apache-2.0
#include "builder/cmake_build.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "builder/cgroup.hpp"
#include "core/fs.hpp"

namespace pgopipe::build {
namespace {
namespace fs = std::filesystem;

class CmakeBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "src");
    std::ofstream(dir_ / "src/CMakeLists.txt") << "project(x NONE)\n";
  }
  ScratchDir scratch_{"pgopipe-cmake-build"};
  fs::path dir_ = scratch_.path();
};

TEST_F(CmakeBuild, ConfiguresWithAbsoluteProfileAndBuildsWithJobs) {
  std::ofstream(dir_ / "app.afdo") << "main:100:1\n 1: 100\n";
  CmakeBuildOptions o{.source_dir = dir_ / "src", .build_dir = dir_ / "build",
                      .profile = dir_ / "app.afdo", .cmake_args = {"-G", "Ninja"}, .jobs = 3};
  auto cmds = cmake_build_commands(o);
  ASSERT_TRUE(cmds) << cmds.error().message;
  ASSERT_EQ(cmds->size(), 2u);
  std::vector<std::string> configure{"cmake", "-S", (dir_ / "src").string(), "-B",
                                     (dir_ / "build").string(),
                                     "-DPGO=" + (dir_ / "app.afdo").string(), "-G", "Ninja"};
  EXPECT_EQ((*cmds)[0], configure);
  std::vector<std::string> build{"cmake", "--build", (dir_ / "build").string(), "--parallel", "3"};
  EXPECT_EQ((*cmds)[1], build);
}

TEST_F(CmakeBuild, JobsDefaultToTheCpuLimit) {
  auto cmds = cmake_build_commands({.source_dir = dir_ / "src", .build_dir = dir_ / "b",
                                    .pgo = "generate"});
  ASSERT_TRUE(cmds);
  EXPECT_EQ((*cmds)[0].back(), "-DPGO=generate");
  EXPECT_EQ((*cmds)[1].back(), std::to_string(default_build_jobs()));
}

TEST_F(CmakeBuild, RejectsRawProfilesMissingProfilesAndMissingSources) {
  std::ofstream(dir_ / "app.profraw", std::ios::binary) << "\x81rforpl\xff\x0a";
  auto raw = cmake_build_commands({.source_dir = dir_ / "src", .build_dir = dir_ / "b",
                                   .profile = dir_ / "app.profraw"});
  ASSERT_FALSE(raw);
  EXPECT_NE(raw.error().message.find("merge it first"), std::string::npos);
  auto missing = cmake_build_commands({.source_dir = dir_ / "src", .build_dir = dir_ / "b",
                                       .profile = dir_ / "nope.profdata"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.profdata does not exist"), std::string::npos);
  auto nosrc = cmake_build_commands({.source_dir = dir_ / "none", .build_dir = dir_ / "b"});
  ASSERT_FALSE(nosrc);
  EXPECT_NE(nosrc.error().message.find("has no CMakeLists.txt"), std::string::npos);
}

TEST_F(CmakeBuild, FailingConfigureNamesTheCommand) {
  std::ofstream(dir_ / "src/CMakeLists.txt") << "message(FATAL_ERROR boom)\n";
  auto r = build_with_cmake({.source_dir = dir_ / "src", .build_dir = dir_ / "b", .jobs = 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Tool);
  EXPECT_NE(r.error().message.find("cmake -S " + (dir_ / "src").string()), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace pgopipe::build
