// SPDX-License-Identifier: Apache-2.0
// Output sinks: the response writers talk to a Sink, so the same rendering code can build
// a body, only count its bytes (HEAD requests) or hash it (ETags) without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace svc {

class Sink {
 public:
  virtual ~Sink() = default;
  // Appends one character.
  virtual void put(char c) = 0;
  // Appends a run of characters.
  virtual void write(std::string_view s) = 0;
};

// Appends to a caller-owned string (the common case: building a response body).
// Defined in json.cpp, next to the writer that calls it most.
class StringSink final : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  void put(char c) override;
  void write(std::string_view s) override;

 private:
  std::string& out_;
};

// Counts bytes only (HEAD requests need the Content-Length, not the body).
class CountingSink final : public Sink {
 public:
  void put(char) override;
  void write(std::string_view s) override;
  std::size_t count() const { return count_; }

 private:
  std::size_t count_ = 0;
};

// FNV-1a over everything written (ETags of rendered documents).
class HashingSink final : public Sink {
 public:
  void put(char c) override;
  void write(std::string_view s) override;
  std::uint64_t hash() const { return hash_; }

 private:
  static constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::uint64_t hash_ = 14695981039346656037ULL;
};

// FNV-1a of a string (ETags, generated content).
inline std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL) {
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// A fast word-at-a-time hash of s folded into h (the run checksum over all responses).
std::uint64_t checksum_fold(std::string_view s, std::uint64_t h);

}  // namespace svc
