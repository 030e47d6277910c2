// SPDX-License-Identifier: Apache-2.0
#include "builder/go_build.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"

namespace pgopipe::build {
namespace {
namespace fs = std::filesystem;

// Writes a gzipped pprof profile with the given sample types ("type/unit") and no samples.
void write_profile(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& types) {
  pprof::Profile p;
  pprof::StringTable strings(p);
  for (const auto& [type, unit] : types) {
    auto* st = p.add_sample_type();
    st->set_type(strings.intern(type));
    st->set_unit(strings.intern(unit));
  }
  ASSERT_TRUE(pprof::write_file(path, p).ok());
}

class GoBuild : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "src/cmd/server"); }
  ScratchDir scratch_{"pgopipe-go-build"};
  fs::path dir_ = scratch_.path();
};

TEST_F(GoBuild, WithoutAProfileBuildsPgoOffWithJobsAndGomaxprocs) {
  GoBuildOptions o{.source_dir = dir_ / "src", .output = dir_ / "out/bin", .packages = {"./cmd/server"},
                   .go_args = {"-trimpath"}, .jobs = 3};
  auto c = go_build_command(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->argv, (std::vector<std::string>{"go", "build", "-pgo=off", "-p", "3", "-o",
                                               (dir_ / "out/bin").string(), "-trimpath", "./cmd/server"}));
  if (std::getenv("GOMAXPROCS") == nullptr) {
    EXPECT_EQ(c->env.at("GOMAXPROCS"), "3");
  } else {
    EXPECT_FALSE(c->env.contains("GOMAXPROCS")) << "a GOMAXPROCS the user set is kept";
  }
  EXPECT_TRUE(c->default_pgo.empty());
}

TEST_F(GoBuild, AProfileIsPassedByItsAbsolutePath) {
  write_profile(dir_ / "cpu.pprof", {{"samples", "count"}, {"cpu", "nanoseconds"}});
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  GoBuildOptions o{.source_dir = dir_ / "src", .profile = "./cpu.pprof", .jobs = 1};
  auto c = go_build_command(o);
  fs::current_path(before);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->argv[2], "-pgo=" + (dir_ / "cpu.pprof").string());
  EXPECT_EQ(c->argv.back(), ".");  // the default package
}

TEST_F(GoBuild, WriteDefaultPgoTargetsTheMainPackageAndBuildsAuto) {
  write_profile(dir_ / "cpu.pprof", {{"cpu", "nanoseconds"}});
  GoBuildOptions o{.source_dir = dir_ / "src", .profile = dir_ / "cpu.pprof", .packages = {"./cmd/server"},
                   .write_default_pgo = true, .jobs = 1};
  auto c = go_build_command(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->argv[2], "-pgo=auto");
  EXPECT_EQ(c->default_pgo, dir_ / "src/cmd/server/default.pgo");
  o.packages = {"example.com/x/cmd/server"};
  auto imported = go_build_command(o);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::Usage);
  o.packages = {"./cmd/server", "./cmd/other"};
  EXPECT_FALSE(go_build_command(o));
  o.packages = {"./cmd/missing"};
  EXPECT_EQ(go_build_command(o).error().code, ErrorCode::Input);
}

TEST_F(GoBuild, MissingSourceOrProfileAreNamed) {
  GoBuildOptions o{.source_dir = dir_ / "nope", .jobs = 1};
  auto missing = go_build_command(o);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  o.source_dir = dir_ / "src";
  o.profile = dir_ / "absent.pprof";
  auto absent = go_build_command(o);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::Input);
  EXPECT_NE(absent.error().message.find("absent.pprof"), std::string::npos);
}

TEST_F(GoBuild, OnlyCpuProfilesAreAccepted) {
  write_profile(dir_ / "cpu.pprof", {{"samples", "count"}, {"cpu", "nanoseconds"}});
  EXPECT_TRUE(check_go_profile(dir_ / "cpu.pprof").ok());
  write_profile(dir_ / "heap.pprof", {{"alloc_objects", "count"}, {"inuse_space", "bytes"}});
  auto heap = check_go_profile(dir_ / "heap.pprof");
  ASSERT_FALSE(heap);
  EXPECT_EQ(heap.error().code, ErrorCode::Input);
  EXPECT_NE(heap.error().message.find("not a CPU profile (sample types [alloc_objects/count inuse_space/bytes])"),
            std::string::npos) << heap.error().message;
  std::ofstream(dir_ / "text.txt") << "main:100:1\n";
  auto text = check_go_profile(dir_ / "text.txt");
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("not a pprof profile"), std::string::npos) << text.error().message;
}

}  // namespace
}  // namespace pgopipe::build
