// SPDX-License-Identifier: Apache-2.0
// Line-oriented text helpers (perf readers, process output): trimming, whitespace splitting
// without allocation, and a block reader that hands on lines with a cap on their length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

namespace pgopipe::text {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Hand-written loops: string_view::find_first_of calls memchr once per character.
inline std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Up to `max` whitespace-separated tokens of `s` into `out`; returns how many (no allocation:
// sample headers are split once per sample).
inline size_t split_ws(std::string_view s, std::string_view* out, size_t max) {
  size_t i = 0, n = 0;
  while (i < s.size() && n < max) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out[n++] = s.substr(b, i - b);
  }
  return n;
}

inline std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out(s.size() / 2 + 1);
  out.resize(split_ws(s, out.data(), out.size()));
  return out;
}

// Longest line handed on: perf script and tool output lines are short (a call chain is one frame per line);
// a longer one is dropped (counted), so a hostile stream cannot grow the buffer without end.
inline constexpr size_t kMaxLineBytes = size_t{4} << 20;

// Reads blocks with `read(buf, n)` (0 at the end, < 0 on error) and hands every line, without
// its newline, to `on_line`; no per-line copy (this loop sees every input byte). Lines longer
// than kMaxLineBytes are skipped and counted in `too_long`.
template <class Read>
bool for_each_line(Read&& read, const std::function<void(std::string_view)>& on_line,
                   uint64_t* too_long = nullptr) {
  std::vector<char> buf(kMaxLineBytes);
  size_t have = 0;
  bool skipping = false;  // inside an over-long line: drop bytes up to its newline
  for (;;) {
    long got = read(buf.data() + have, buf.size() - have);
    if (got < 0) return false;
    have += static_cast<size_t>(got);
    std::string_view block(buf.data(), have);
    size_t pos = 0;
    while (const void* nl = std::memchr(block.data() + pos, '\n', block.size() - pos)) {
      size_t end = static_cast<size_t>(static_cast<const char*>(nl) - block.data());
      if (!skipping) on_line(block.substr(pos, end - pos));
      skipping = false;
      pos = end + 1;
    }
    if (got == 0) {  // end of input: a last line without newline
      if (pos < have && !skipping) on_line(block.substr(pos));
      return true;
    }
    std::memmove(buf.data(), buf.data() + pos, have - pos);
    have -= pos;
    if (have == buf.size()) {  // a line longer than the cap
      if (!skipping && too_long != nullptr) ++*too_long;
      skipping = true;
      have = 0;
    }
  }
}

}  // namespace pgopipe::text
