// SPDX-License-Identifier: Apache-2.0
// wordfreq: counts words in a generated text and prints the most frequent ones. Small, but
// with a hot loop, a hash map and a branchy tokenizer: the shapes PGO improves.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// Deterministic pseudo-random text, so every run profiles the same work.
std::string make_text(size_t words) {
  static const char* vocabulary[] = {"profile", "guided", "optimisation", "build", "cache",
                                     "branch", "inline", "hot", "cold", "loop"};
  std::string text;
  unsigned state = 12345;
  for (size_t i = 0; i < words; ++i) {
    state = state * 1103515245u + 12345u;
    text += vocabulary[(state >> 16) % 10];
    text += (state & 7) == 0 ? ".\n" : " ";
  }
  return text;
}

bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::unordered_map<std::string, size_t> count_words(const std::string& text) {
  std::unordered_map<std::string, size_t> counts;
  std::string word;
  for (char c : text) {
    if (is_word_char(c)) {
      word += c;
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  if (!word.empty()) ++counts[word];
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  size_t words = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
  auto counts = count_words(make_text(words));
  std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < std::min<size_t>(3, sorted.size()); ++i) {
    std::printf("%s %zu\n", sorted[i].first.c_str(), sorted[i].second);
  }
  return 0;
}
