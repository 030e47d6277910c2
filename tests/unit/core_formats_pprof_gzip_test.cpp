// SPDX-License-Identifier: Apache-2.0
// gunzip_into: the reusable-buffer inflate (libdeflate first, zlib deciding whatever the fast
// path cannot finish) gives gunzip's bytes, limit and errors.
#include <gtest/gtest.h>

#include <string>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::pprof {
namespace {

// `n` bytes that compress well but are not all alike.
std::string text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i % 97) + "\n";
  s.resize(n);
  return s;
}

TEST(PprofGzip, GunzipIntoReusesItsBufferAcrossInputs) {
  std::string buffer;
  auto big = gunzip_into("big.gz", *gzip(text(200'000)), 1 << 20, buffer);
  ASSERT_TRUE(big.ok()) << big.error().message;
  EXPECT_EQ(*big, text(200'000));
  const char* data = buffer.data();
  auto small = gunzip_into("small.gz", *gzip("hello"), 1 << 20, buffer);
  ASSERT_TRUE(small.ok()) << small.error().message;
  EXPECT_EQ(*small, "hello");
  EXPECT_EQ(small->data(), data);  // the same allocation, not a new one
  EXPECT_GE(buffer.size(), 200'000u);
}

TEST(PprofGzip, TrailerUnderstatingTheSizeStillInflatesWhole) {
  // The last member's trailer states 1 byte: the first buffer is far too small, so the bytes
  // come from the zlib path's exact-size second pass.
  std::string want = text(1'000'000) + "x";
  std::string buffer;
  auto r = gunzip_into("two.gz", *gzip(text(1'000'000)) + *gzip("x"), 1 << 21, buffer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, want);
}

TEST(PprofGzip, AReusedLargeBufferNeverLiftsTheLimit) {
  std::string buffer(1 << 20, '\0');
  auto r = gunzip_into("bomb.gz", *gzip(text(10'000)), 1024, buffer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("bomb.gz: gzip data inflates beyond the limit of 1024 bytes"),
            std::string::npos)
      << r.error().message;
  auto exact = gunzip_into("fits.gz", *gzip(text(1024)), 1024, buffer);
  ASSERT_TRUE(exact.ok()) << exact.error().message;
  EXPECT_EQ(*exact, text(1024));
}

TEST(PprofGzip, ABufferSizedForAnOverstatedTrailerIsNotKept) {
  // Trailing bytes after the last member are ignored, but the size guess reads them: 100 MiB.
  std::string gz = *gzip(text(1024)) + std::string("\x00\x00\x40\x06", 4);
  std::string buffer;
  auto r = gunzip_into("overstated.gz", gz, 200 << 20, buffer);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, text(1024));
  EXPECT_EQ(buffer.size(), 1024u) << "the 100 MiB guess was kept";
  // A refused input does not pin its buffer either.
  auto bad = gunzip_into("bad.gz", std::string(gz.data(), gz.size() - 8) + std::string("\x00\x00\x40\x06", 4),
                         200 << 20, buffer);
  ASSERT_FALSE(bad.ok());
  EXPECT_LE(buffer.size(), 1024u);
}

TEST(PprofGzip, CorruptAndTruncatedDataGiveZlibsErrors) {
  std::string gz = *gzip(text(50'000));
  std::string buffer;
  auto truncated = gunzip_into("t.gz", gz.substr(0, gz.size() / 2), 1 << 20, buffer);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("t.gz: truncated gzip data"), std::string::npos)
      << truncated.error().message;
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
  auto corrupt = gunzip_into("c.gz", gz, 1 << 20, buffer);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.error().message.find("c.gz: corrupt gzip data (incorrect data check)"), std::string::npos)
      << corrupt.error().message;
}

TEST(PprofGzip, ThreadsCompressLargeInputsIntoMembersThatInflateToTheInput) {
  std::string input = text(9'000'000);  // over 8 MiB: two shares of at least 4 MiB
  std::string one = *gzip(input, 1, 1);
  std::string two = *gzip(input, 1, 2);
  EXPECT_NE(one, two) << "the same level and input gave the same bytes: not split into members";
  std::string buffer;
  auto back = gunzip_into("two-members.gz", two, size_t{64} << 20, buffer);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, input);
  // A small input stays one member whatever the thread count.
  EXPECT_EQ(*gzip("hello", 1, 8), *gzip("hello", 1, 1));
}

}  // namespace
}  // namespace pgopipe::pprof
