// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/profile_stacks.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pgopipe {
namespace {

constexpr const char* kSampleText = R"(main:184019:0
 4: 534
 4.2: 534
 5: 1075
 5.1: 1075
 6: 2080
 7: 534
 9: 2064 _Z3bari:1471 _Z3fooi:631
 10: inline1:1000
  1: 1000
 10: inline2:2000
  1: 2000
_Z3bari:20301:1437
 1: 1437
_Z3fooi:7711:610
 1: 610
)";

std::map<std::string, uint64_t> by_path(const std::vector<llvm_merge::ProfileStack>& stacks) {
  std::map<std::string, uint64_t> out;
  for (const auto& s : stacks) {
    std::string path;
    for (const auto& f : s.frames) path += (path.empty() ? "" : ";") + f;
    out[path] += s.value;
  }
  return out;
}

TEST(ProfileStacks, SampleProfileBodySamplesAndInlinees) {
  auto stacks = llvm_merge::read_sample_stacks("a.txt", kSampleText);
  ASSERT_TRUE(stacks.ok()) << stacks.error().message;
  std::map<std::string, uint64_t> expected{{"main", 534 + 534 + 1075 + 1075 + 2080 + 534 + 2064},
                                           {"main;inline1", 1000},
                                           {"main;inline2", 2000},
                                           {"_Z3bari", 1437},
                                           {"_Z3fooi", 610}};
  EXPECT_EQ(by_path(*stacks), expected);
}

TEST(ProfileStacks, BadInputsAreInputErrorsNamingTheFile) {
  auto empty = llvm_merge::read_sample_stacks("empty.prof", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::Input);
  EXPECT_NE(empty.error().message.find("empty.prof"), std::string::npos);
  auto garbage = llvm_merge::read_sample_stacks("junk.txt", "this is not: a profile\n  at all");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::Input);
  auto instr = llvm_merge::read_instr_function_totals("junk.profdata", "not a profdata");
  ASSERT_FALSE(instr.ok());
  EXPECT_EQ(instr.error().code, ErrorCode::Input);
  EXPECT_NE(instr.error().message.find("junk.profdata"), std::string::npos);
}

}  // namespace
}  // namespace pgopipe
