// SPDX-License-Identifier: Apache-2.0
// A deterministic traffic generator: the same seed and mix give the same requests on
// every machine and with every compiler.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "state.hpp"

namespace svc {

enum class Kind : std::uint8_t {
  User, UserHead, Orders, Eval, KvGet, KvPut, KvDelete, Stats, Search, Static, Health,
  Metrics, Admin, NotFound, WrongMethod, Malformed, Count
};

using Mix = std::array<unsigned, static_cast<std::size_t>(Kind::Count)>;

// Returns the weights of a named mix ("default", "compute", "storage"); false if unknown.
bool find_mix(std::string_view name, Mix& mix);
// Lists the mix names for usage messages.
std::string_view mix_names();

class Traffic {
 public:
  Traffic(std::uint64_t seed, const Mix& mix);
  // Writes the next raw request into out (cleared first).
  void next(std::string& out);

 private:
  Kind pick_kind();
  void eval_body(std::string& body);
  void stats_body(std::string& body);
  void random_expr(std::string& out, int depth);
  void append_request(std::string& out, std::string_view method, std::string_view target,
                      std::string_view body);

  Rng rng_;
  Mix cumulative_{};
  unsigned total_ = 0;
  std::uint64_t sequence_ = 0;
  std::string body_;
  std::string target_;
};

}  // namespace svc
