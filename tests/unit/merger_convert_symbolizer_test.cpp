// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/symbolizer.hpp"

#include <gtest/gtest.h>

namespace pgopipe::convert {
namespace {

TEST(CanonicalFunctionName, FoldsTheSuffixesTheSampleLoaderFolds) {
  EXPECT_EQ(canonical_function_name("_Z3fooi.llvm.123456"), "_Z3fooi");
  EXPECT_EQ(canonical_function_name("foo.part.0"), "foo");
  EXPECT_EQ(canonical_function_name("foo.cold"), "foo");
  EXPECT_EQ(canonical_function_name("foo.cold.1"), "foo");
  EXPECT_EQ(canonical_function_name("foo.llvm.7.cold"), "foo");
  EXPECT_EQ(canonical_function_name("foo"), "foo");
  EXPECT_EQ(canonical_function_name("foo.coldness"), "foo.coldness");
}

}  // namespace
}  // namespace pgopipe::convert
