// SPDX-License-Identifier: Apache-2.0
#include "core/digest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgopipe {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, StreamingEqualsOneShotWhateverTheChunking) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>(i * 7 + (i >> 8));
  std::string whole = sha256_hex(data);
  for (size_t chunk : {size_t{1}, size_t{63}, size_t{64}, size_t{4097}, data.size()}) {
    Sha256 h;
    for (size_t at = 0; at < data.size(); at += chunk) h.update(std::string_view(data).substr(at, chunk));
    EXPECT_EQ(h.finish(), whole) << "chunk " << chunk;
  }
  Sha256 million_a;
  std::string a1000(1000, 'a');
  for (int i = 0; i < 1000; ++i) million_a.update(a1000);
  EXPECT_EQ(million_a.finish(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ADifferentByteGivesADifferentDigest) {
  EXPECT_NE(sha256_hex("profile-a"), sha256_hex("profile-b"));
  EXPECT_NE(sha256_hex(std::string(1, '\0')), sha256_hex(""));
}

}  // namespace
}  // namespace pgopipe
