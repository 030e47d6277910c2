// SPDX-License-Identifier: Apache-2.0
// The service's in-memory data: users, a product catalog, a key-value store, a cache of
// compiled expressions and per-handler counters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "expr.hpp"

namespace svc {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string country;
  int age = 0;
  std::int64_t balance_cents = 0;
  std::vector<std::string> tags;
  std::string street;
  std::string city;
  std::string postcode;
  bool newsletter = false;
  std::string locale;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t amount = 0;  // cents
  std::int64_t qty = 0;
  std::int64_t status = 0;  // 0 new .. 4 refunded
  std::int64_t day = 0;     // days since the shop opened
};

class ProgramCache {
 public:
  // Returns the compiled program for source, compiling on a miss; nullptr and error set
  // when the source does not compile.
  const Program* get(std::string_view source, std::string& error);
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  static constexpr std::size_t kCapacity = 256;
  std::unordered_map<std::string, Program> programs_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

struct AppState {
  std::vector<User> users;             // users[i].id == i + 1
  std::vector<std::string> catalog;    // product names, id = index
  std::unordered_map<std::string, std::string> kv;
  ProgramCache programs;
  std::map<std::string, std::uint64_t, std::less<>> counters;  // metric name -> count
  std::uint64_t generation = 1;        // bumped by /admin/reload

  // Builds the deterministic data set (same for every run and every compiler).
  void populate();
  // Returns the orders of a user (derived from the id, no storage).
  static std::vector<Order> orders_of(std::int64_t user_id);
  void count(std::string_view metric);
};

// Deterministic 64-bit generator (splitmix64), used for data and traffic.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(unsigned percent_times_10) { return below(1000) < percent_times_10; }

 private:
  std::uint64_t state_;
};

}  // namespace svc
