// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/source_diff.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgopipe::convert {
namespace {

SourceDiff parsed(const std::string& text) {
  auto d = SourceDiff::parse("change.diff", text);
  EXPECT_TRUE(d) << (d ? "" : d.error().message);
  return d ? std::move(d).value() : SourceDiff{};
}

// Old vm.cpp lines 1-12; the new file inserts two lines after old line 3, rewrites old line 7
// and deletes old line 10.
const std::string kDiff = R"(diff --git a/src/vm.cpp b/src/vm.cpp
index 1111111..2222222 100644
--- a/src/vm.cpp
+++ b/src/vm.cpp
@@ -2,3 +2,5 @@ int run() {
 two
 three
+inserted one
+inserted two
 four
@@ -6,6 +8,5 @@ int run() {
 six
-seven
+SEVEN
 eight
 nine
-ten
 eleven
)";

TEST(SourceDiff, LinesMoveToTheirNewPlaceAndChangedLinesHaveNone) {
  auto d = parsed(kDiff);
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 1), 1u);   // before every hunk
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 3), 3u);   // context before the insertion
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 4), 6u);   // context after it
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 5), 7u);   // between the hunks
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 7), std::nullopt);  // rewritten
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 9), 11u);
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 10), std::nullopt);  // deleted
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 11), 12u);
  EXPECT_EQ(d.new_line("/build/src/vm.cpp", 40), 41u);  // after every hunk: +2 -1
  EXPECT_EQ(d.files(), std::vector<std::string>{"src/vm.cpp"});
}

TEST(SourceDiff, FilesMatchByWholeTrailingComponentsAndOthersAreUntouched) {
  auto d = parsed(kDiff);
  EXPECT_EQ(d.new_line("src/vm.cpp", 5), 7u);
  EXPECT_EQ(d.new_line("/build/mysrc/vm.cpp", 5), 5u);  // "mysrc" is not "src"
  EXPECT_EQ(d.new_line("/build/src/other.cpp", 7), 7u);
}

TEST(SourceDiff, ReindentedLinesKeepTheirPlaceInsideAChangeBlock) {
  // The loop body moves into a new branch: its lines come back re-indented, the rest changes.
  auto d = parsed(R"(--- a/json.cpp
+++ b/json.cpp
@@ -1,7 +1,8 @@
 for (char c : s) {
-  if (const char* e = escape(c)) {
-    sink.write(e);
-  } else {
-    sink.put(c);
-  }
+  switch (c) {
+    case '"': sink.write("\\\""); break;
+    default:
+        sink.put(c);
+  }
+  }
 }
)");
  EXPECT_EQ(d.new_line("json.cpp", 1), 1u);
  EXPECT_EQ(d.new_line("json.cpp", 2), std::nullopt);
  EXPECT_EQ(d.new_line("json.cpp", 3), std::nullopt);
  EXPECT_EQ(d.new_line("json.cpp", 5), 5u);  // "sink.put(c);" re-indented
  EXPECT_EQ(d.new_line("json.cpp", 6), 6u);  // "}" pairs in order
  EXPECT_EQ(d.new_line("json.cpp", 7), 8u);
}

TEST(SourceDiff, NewAndDeletedFilesAndNoNewlineMarkers) {
  auto d = parsed(R"(--- /dev/null
+++ b/added.cpp
@@ -0,0 +1,2 @@
+a
+b
--- a/gone.cpp
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
\ No newline at end of file
)");
  EXPECT_EQ(d.new_line("gone.cpp", 1), std::nullopt);
  EXPECT_EQ(d.new_line("gone.cpp", 2), std::nullopt);
  EXPECT_EQ(d.new_line("added.cpp", 1), 1u);  // nothing of the old file to move
}

TEST(SourceDiff, MalformedDiffsAreErrorsNamingTheLine) {
  auto check = [](const std::string& text, const std::string& expected) {
    auto d = SourceDiff::parse("bad.diff", text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, ErrorCode::Input);
    EXPECT_NE(d.error().message.find(expected), std::string::npos) << d.error().message;
  };
  check("@@ -1 +1 @@\n-a\n+b\n", "bad.diff:1: hunk before a ---/+++ file header");
  check("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n", "bad.diff:4: the diff ends inside a hunk");
  check("--- a/x\n+++ b/x\n@@ -x +1 @@\n", "bad.diff:3: malformed hunk header");
  check("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n*b\n", "bad.diff:5: hunk ends before");
  check("--- a/x\n+++ b/x\n@@ -5 +5 @@\n a\n@@ -1 +1 @@\n a\n", "bad.diff:5: hunks out of order");
  check("--- a/x\n+++ b/x\n@@ -5 +9 @@\n a\n", "bad.diff:3: hunk header's new start");
}

}  // namespace
}  // namespace pgopipe::convert
