// SPDX-License-Identifier: Apache-2.0
#include "report/text.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(ReportText, EscapeMarkup) {
  EXPECT_EQ(report::escape_markup("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(report::escape_markup("ünïcode ✓"), "ünïcode ✓");
}

TEST(ReportText, SanitizeUtf8) {
  EXPECT_EQ(report::sanitize_utf8(std::string("a\xff" "b\x01" "c")), "a\xEF\xBF\xBD" "b?c");
  EXPECT_EQ(report::sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(report::sanitize_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(report::sanitize_utf8("\xE2\x9C"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
  EXPECT_EQ(report::sanitize_utf8("\xF0\x9F\x94\xA5"), "\xF0\x9F\x94\xA5");
}

TEST(ReportText, EscapeMarkdown) {
  EXPECT_EQ(report::escape_markdown("a|b *c* <d> & `e`"), "a\\|b \\*c\\* &lt;d&gt; &amp; \\`e\\`");
  EXPECT_EQ(report::escape_markdown("line\nbreak"), "line?break");
}

TEST(ReportText, GroupDigits) {
  EXPECT_EQ(report::group_digits(0), "0");
  EXPECT_EQ(report::group_digits(999), "999");
  EXPECT_EQ(report::group_digits(1000), "1,000");
  EXPECT_EQ(report::group_digits(1234567), "1,234,567");
}

TEST(ReportText, DisplayNameDemanglesAndNamesTheFileOfLocalFunctions) {
  EXPECT_EQ(report::display_name("_ZN3svc10StringSink3putEc"), "svc::StringSink::put(char)");
  EXPECT_EQ(report::display_name("handlers_api.cpp;_ZN3svc12_GLOBAL__N_111EvalHandler6handleEv"),
            "svc::(anonymous namespace)::EvalHandler::handle() [handlers_api.cpp]");
  EXPECT_EQ(report::display_name("_Z3fooi.cold"), "foo(int) [clone .cold]");
  EXPECT_EQ(report::display_name("main"), "main");
  EXPECT_EQ(report::display_name("runtime.mallocgc"), "runtime.mallocgc");
  EXPECT_EQ(report::display_name("_Znot a symbol"), "_Znot a symbol");
}

}  // namespace
}  // namespace pgopipe
