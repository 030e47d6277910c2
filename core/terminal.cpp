// SPDX-License-Identifier: Apache-2.0
#include "core/terminal.hpp"

#include <fmt/format.h>

namespace pgopipe {
namespace {

// Length of the valid UTF-8 sequence at `s` (2..4), 0 when there is none.
size_t utf8_length(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

void escape_bytes(std::string& out, std::string_view bytes) {
  for (unsigned char c : bytes) out += fmt::format("\\x{:02x}", c);
}

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (keep_newlines && (c == '\n' || c == '\t')) {
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      escape_bytes(out, text.substr(i, 1));
      ++i;
    } else if (size_t n = utf8_length(text.substr(i)); n == 0) {
      escape_bytes(out, text.substr(i, 1));
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      escape_bytes(out, text.substr(i, 2));  // C1 control (U+0080..U+009F), e.g. CSI
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace pgopipe
