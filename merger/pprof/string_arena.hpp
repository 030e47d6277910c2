// SPDX-License-Identifier: Apache-2.0
// Owns the bytes of the merged profile's strings in large blocks (no per-string allocation).
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace pgopipe::pprof_merge {

// Owns the bytes of merged strings; views stay valid until clear().
class StringArena {
 public:
  std::string_view store(std::string_view s) {
    if (s.empty()) return {};
    char* d = nullptr;
    if (s.size() > kBlock / 8) {
      blocks_.push_back(std::make_unique<char[]>(s.size()));
      d = blocks_.back().get();
    } else {
      if (kBlock - used_ < s.size() || current_ == nullptr) {
        blocks_.push_back(std::make_unique<char[]>(kBlock));
        current_ = blocks_.back().get();
        used_ = 0;
      }
      d = current_ + used_;
      used_ += s.size();
    }
    std::memcpy(d, s.data(), s.size());
    return {d, s.size()};
  }
  void clear() { *this = StringArena{}; }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_ = nullptr;
  size_t used_ = 0;
};

}  // namespace pgopipe::pprof_merge
