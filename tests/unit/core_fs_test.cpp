// SPDX-License-Identifier: Apache-2.0
#include "core/fs.hpp"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace pgopipe
