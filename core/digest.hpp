// SPDX-License-Identifier: Apache-2.0
// SHA-256 digests (OpenSSL), streaming and one-shot, as lower-case hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pgopipe {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Feeds more bytes into the digest.
  void update(std::string_view bytes);
  // Returns the hex digest; the object must not be updated afterwards.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace pgopipe
