// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/source_diff.hpp"

#include <algorithm>
#include <charconv>

namespace pgopipe::convert {
namespace {

// "a/src/x.cpp\t2026-01-01 ..." -> "src/x.cpp"; "/dev/null" stays.
std::string diff_path(std::string_view header) {
  header = header.substr(0, header.find('\t'));
  while (!header.empty() && (header.back() == '\r' || header.back() == ' ')) header.remove_suffix(1);
  if (header.starts_with("a/") || header.starts_with("b/")) header.remove_prefix(2);
  return std::string(header);
}

// "-12,3" or "+7" (count 1) after the sign; false if malformed.
bool parse_range(std::string_view text, uint32_t& start, uint32_t& count) {
  if (text.size() < 2) return false;
  text.remove_prefix(1);
  auto comma = text.find(',');
  auto number = [](std::string_view s, uint32_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  count = 1;
  if (comma == std::string_view::npos) return number(text, start);
  return number(text.substr(0, comma), start) && number(text.substr(comma + 1), count);
}

// One side of a change block: line numbers and their text without whitespace.
struct ChangedLines {
  std::vector<uint32_t> lines;
  std::vector<std::string> texts;
  void add(uint32_t line, std::string_view text) {
    std::string squeezed;
    for (char c : text)
      if (c != ' ' && c != '\t' && c != '\r') squeezed += c;
    lines.push_back(line);
    texts.push_back(std::move(squeezed));
  }
  void clear() {
    lines.clear();
    texts.clear();
  }
};

// Larger change blocks are not matched line by line (their lines stay dropped): the longest
// common subsequence costs removed x added steps.
constexpr size_t kMaxMatchCells = size_t{4} << 20;

// Pairs the removed and added lines of one change block whose text differs only in
// whitespace (re-indented or moved into a new block), in order, by their longest common
// subsequence; calls `matched(old_line, new_line)` for each pair. Blank lines never pair.
template <typename Fn>
void match_changed_lines(const ChangedLines& removed, const ChangedLines& added, Fn matched) {
  size_t n = removed.texts.size(), m = added.texts.size();
  if (n == 0 || m == 0 || n * m > kMaxMatchCells) return;
  std::vector<uint32_t> length((n + 1) * (m + 1), 0);  // LCS length of the suffixes i.., j..
  auto at = [m](size_t i, size_t j) { return i * (m + 1) + j; };
  auto same = [&](size_t i, size_t j) { return !removed.texts[i].empty() && removed.texts[i] == added.texts[j]; };
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      length[at(i, j)] = same(i, j) ? length[at(i + 1, j + 1)] + 1 : std::max(length[at(i + 1, j)], length[at(i, j + 1)]);
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (same(i, j)) {
      matched(removed.lines[i], added.lines[j]);
      ++i, ++j;
    } else if (length[at(i + 1, j)] >= length[at(i, j + 1)]) {
      ++i;
    } else {
      ++j;
    }
  }
}

}  // namespace

Result<SourceDiff> SourceDiff::parse(std::string_view name, std::string_view text) {
  SourceDiff diff;
  std::string old_path;
  std::vector<Hunk>* hunks = nullptr;
  std::vector<Hunk> added_file;
  Hunk* hunk = nullptr;
  uint32_t old_left = 0, new_left = 0, old_line = 0, new_line = 0;
  size_t number = 0;
  ChangedLines removed, added;
  // A change block ends at a context line or the hunk's end: its re-indented lines keep a place.
  auto end_block = [&] {
    match_changed_lines(removed, added, [&](uint32_t old_line_number, uint32_t new_line_number) {
      hunk->new_of_old[old_line_number - hunk->old_start] = new_line_number;
    });
    removed.clear();
    added.clear();
  };
  auto fail = [&](std::string_view what) {
    return make_error(ErrorCode::Input, "{}:{}: {}", name, number, what);
  };
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (hunk && (old_left > 0 || new_left > 0)) {
      char kind = line.empty() ? ' ' : line[0];  // some tools strip an empty context line's space
      if (kind == '\\') continue;                // "\ No newline at end of file"
      if ((kind == ' ' || kind == '-') && old_left == 0) return fail("hunk has more old lines than its header says");
      if ((kind == ' ' || kind == '+') && new_left == 0) return fail("hunk has more new lines than its header says");
      switch (kind) {
        case ' ':
          end_block();
          hunk->new_of_old.push_back(new_line++);
          ++old_line, --old_left, --new_left;
          break;
        case '-':
          removed.add(old_line, line.substr(1));
          hunk->new_of_old.push_back(0);
          ++old_line, --old_left;
          break;
        case '+':
          added.add(new_line, line.substr(1));
          ++new_line, --new_left;
          break;
        default: return fail("hunk ends before the line counts of its header");
      }
      if (old_left == 0 && new_left == 0) {
        end_block();
        hunk->delta_after = int64_t{new_line} - int64_t{old_line};
      }
      continue;
    }
    if (line.starts_with("--- ")) {
      old_path = diff_path(line.substr(4));
      hunks = nullptr;
    } else if (line.starts_with("+++ ")) {
      if (old_path.empty()) return fail("file header without a path");
      // A new file has no old lines to move: its hunks are checked, then forgotten.
      added_file.clear();
      hunks = old_path == "/dev/null" ? &added_file : &diff.files_[old_path];
    } else if (line.starts_with("@@ ")) {
      if (!hunks) return fail("hunk before a ---/+++ file header");
      auto close = line.find(" @@", 3);
      if (close == std::string_view::npos) return fail("malformed hunk header");
      std::string_view ranges = line.substr(3, close - 3);
      auto space = ranges.find(' ');
      uint32_t old_start = 0, old_count = 0, new_start = 0, new_count = 0;
      if (space == std::string_view::npos || ranges[0] != '-' || ranges[space + 1] != '+' ||
          !parse_range(ranges.substr(0, space), old_start, old_count) ||
          !parse_range(ranges.substr(space + 1), new_start, new_count)) {
        return fail("malformed hunk header");
      }
      // "-a,0" inserts after line a: the hunk covers no old line and starts at a + 1.
      old_line = old_count == 0 ? old_start + 1 : old_start;
      new_line = new_count == 0 ? new_start + 1 : new_start;
      if (!hunks->empty() && old_line < hunks->back().old_start + hunks->back().new_of_old.size()) {
        return fail("hunks out of order");
      }
      // In a unified diff each hunk's new start follows from its old start and the lines the
      // hunks before it added and removed; anything else is not one diff of one file.
      int64_t before = hunks->empty() ? 0 : hunks->back().delta_after;
      if (int64_t{new_line} - int64_t{old_line} != before) {
        return fail("hunk header's new start does not follow from the hunks before it");
      }
      hunk = &hunks->emplace_back();
      hunk->old_start = old_line;
      hunk->delta_after = int64_t{new_line} - int64_t{old_line};
      old_left = old_count;
      new_left = new_count;
    }
  }
  if (hunk && (old_left > 0 || new_left > 0)) return fail("the diff ends inside a hunk");
  return diff;
}

const std::vector<SourceDiff::Hunk>* SourceDiff::hunks_for(std::string_view file) const {
  const std::vector<Hunk>* best = nullptr;
  size_t best_length = 0;
  for (const auto& [path, hunks] : files_) {
    bool whole = file == path ||
                 (file.size() > path.size() && file.ends_with(path) && file[file.size() - path.size() - 1] == '/');
    if (whole && path.size() > best_length) {
      best = &hunks;
      best_length = path.size();
    }
  }
  return best;
}

std::optional<uint32_t> SourceDiff::new_line(std::string_view file, uint32_t line) const {
  const auto* hunks = hunks_for(file);
  if (!hunks) return line;
  int64_t delta = 0;
  for (const auto& h : *hunks) {
    if (line < h.old_start) break;
    if (line < h.old_start + h.new_of_old.size()) {
      uint32_t moved = h.new_of_old[line - h.old_start];
      return moved ? std::optional<uint32_t>(moved) : std::nullopt;
    }
    delta = h.delta_after;
  }
  int64_t moved = int64_t{line} + delta;
  return moved > 0 ? std::optional<uint32_t>(static_cast<uint32_t>(moved)) : std::nullopt;
}

std::vector<std::string> SourceDiff::files() const {
  std::vector<std::string> out;
  for (const auto& [path, hunks] : files_) out.push_back(path);
  return out;
}

}  // namespace pgopipe::convert
