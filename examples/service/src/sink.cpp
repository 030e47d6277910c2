// SPDX-License-Identifier: Apache-2.0
#include "sink.hpp"

#include <cstring>

namespace svc {

void CountingSink::put(char) { ++count_; }
void CountingSink::write(std::string_view s) { count_ += s.size(); }
void HashingSink::put(char c) { hash_ = (hash_ ^ static_cast<unsigned char>(c)) * kPrime; }
void HashingSink::write(std::string_view s) {
  for (char c : s) put(c);
}

std::uint64_t checksum_fold(std::string_view s, std::uint64_t h) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ULL;
  return h ^ s.size();
}

}  // namespace svc
