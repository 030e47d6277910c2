// SPDX-License-Identifier: Apache-2.0
#include "builder/profile_check.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"

namespace pgopipe::build {
namespace {
namespace fs = std::filesystem;

class ProfileCheck : public ::testing::Test {
 protected:
  fs::path put(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  ScratchDir scratch_{"pgopipe-profile-check"};
  fs::path dir_ = scratch_.path();
};

TEST_F(ProfileCheck, AcceptsCompilerProfilesAndGcdaDirectories) {
  EXPECT_TRUE(check_compiler_profile(put("a.afdo.txt", "main:100:1\n 1: 100\n")));
  // Indexed .profdata as llvm-profdata-19 writes it (magic bytes ff 6c 70 72 6f 66 69 81).
  EXPECT_TRUE(check_compiler_profile(put("a.profdata", std::string("\xfflprofi\x81\x0c\0\0\0\0\0\0\x01", 16))));
  fs::create_directories(dir_ / "gcda");
  EXPECT_TRUE(check_compiler_profile(dir_ / "gcda"));
}

TEST_F(ProfileCheck, RawAndPprofProfilesSayWhatToDo) {
  auto raw = check_compiler_profile(put("a.profraw", std::string("\x81rforpl\xff\x0a\0\0\0\0\0\0\0", 16)));
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, ErrorCode::Input);
  EXPECT_NE(raw.error().message.find("merge it first"), std::string::npos);
  auto pprof = check_compiler_profile(put("cpu.pb.gz", std::string("\x1f\x8b\x08\0\0\0\0\0", 8)));
  ASSERT_FALSE(pprof);
  EXPECT_NE(pprof.error().message.find("pgopipe convert"), std::string::npos);
}

TEST_F(ProfileCheck, ImagesTakeCompilerProfilesOrPprofCpuProfiles) {
  auto profile = [&](const std::string& name, const std::string& type, const std::string& unit) {
    pprof::Profile p;
    pprof::StringTable strings(p);
    auto* st = p.add_sample_type();
    st->set_type(strings.intern(type));
    st->set_unit(strings.intern(unit));
    EXPECT_TRUE(pprof::write_file(dir_ / name, p).ok());
    return dir_ / name;
  };
  EXPECT_TRUE(check_image_profile(profile("cpu.pb.gz", "samples", "count")));  // for go build -pgo
  auto heap = check_image_profile(profile("heap.pb.gz", "inuse_space", "bytes"));
  ASSERT_FALSE(heap);
  EXPECT_NE(heap.error().message.find("not a CPU profile"), std::string::npos) << heap.error().message;
  EXPECT_TRUE(check_image_profile(put("a.afdo.txt", "main:100:1\n 1: 100\n")));
  EXPECT_FALSE(check_image_profile(put("a.profraw", std::string("\x81rforpl\xff\x0a\0\0\0\0\0\0\0", 16))));
  EXPECT_FALSE(check_image_profile(dir_ / "none.pb.gz"));
}

TEST_F(ProfileCheck, MissingFileIsNamed) {
  auto r = check_compiler_profile(dir_ / "none.profdata");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("none.profdata does not exist"), std::string::npos);
}

}  // namespace
}  // namespace pgopipe::build
