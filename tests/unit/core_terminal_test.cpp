// SPDX-License-Identifier: Apache-2.0
#include "core/terminal.hpp"

#include <gtest/gtest.h>

namespace pgopipe {
namespace {

TEST(TerminalSafe, EscapeSequencesBecomeVisibleText) {
  EXPECT_EQ(terminal_safe("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(terminal_safe("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(terminal_safe("tab\there\nnext"), "tab\\x09here\\x0anext");
  EXPECT_EQ(terminal_safe(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(terminal_safe("del\x7f"), "del\\x7f");
}

TEST(TerminalSafe, C1ControlsAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "\\xc2\\x9b2J");  // CSI as one UTF-8 character
  EXPECT_EQ(terminal_safe("\x9b" "2J"), "\\x9b2J");           // CSI as a raw byte
  EXPECT_EQ(terminal_safe("\xe2\x82"), "\\xe2\\x82");          // truncated sequence
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
}

TEST(TerminalSafe, PrintableTextAndUtf8StayAsTheyAre) {
  EXPECT_EQ(terminal_safe("std::vector<int>::push_back(int&&)"), "std::vector<int>::push_back(int&&)");
  EXPECT_EQ(terminal_safe("Grüße 世界 🙂"), "Grüße 世界 🙂");
  EXPECT_EQ(terminal_safe("\xc2\xa0nbsp"), "\xc2\xa0nbsp");
}

TEST(TerminalSafe, LogsMayKeepNewlinesAndTabs) {
  EXPECT_EQ(terminal_safe("a\nb\tc\x1b", true), "a\nb\tc\\x1b");
}

}  // namespace
}  // namespace pgopipe
