// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/layout_checks.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pgopipe {
namespace {

using llvm_merge::check_instr_layout;
using llvm_merge::check_sample_layout;

void put64(std::string& bytes, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(v >> (8 * i)));
}
void set64(std::string& bytes, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<char>(v >> (8 * i));
}

// A raw version-10 profile (64-bit) with no records and `names` as its names section.
std::string raw_profile(const std::string& names = "") {
  std::string p;
  put64(p, 0xff6c70726f667281ULL);  // magic
  put64(p, 10);                     // version
  for (int field = 2; field < 16; ++field) put64(p, field == 9 ? names.size() : 0);
  p += names;
  p.resize((p.size() + 7) / 8 * 8, '\0');
  return p;
}

// An indexed version-12 profile with an empty summary and an empty record table.
std::string indexed_profile() {
  std::string p;
  put64(p, 0x8169666f72706cffULL);  // magic
  put64(p, 12);                     // version
  put64(p, 0);                      // unused
  put64(p, 0);                      // hash type
  put64(p, 88);                     // HashOffset
  put64(p, 0);                      // MemProfOffset
  put64(p, 104);                    // BinaryIdOffset
  put64(p, 0);                      // TemporalProfTracesOffset
  put64(p, 112);                    // VTableNamesOffset
  put64(p, 0), put64(p, 0);         // summary: no fields, no cutoffs (ends at 88)
  put64(p, 1), put64(p, 0);         // record table: one bucket, no entries
  put64(p, 0);                      // binary IDs: 0 bytes
  put64(p, 0);                      // vtable names: 0 bytes
  return p;
}

TEST(InstrLayout, WellFormedHeadersPass) {
  EXPECT_TRUE(check_instr_layout("a.profraw", raw_profile()).ok());
  EXPECT_TRUE(check_instr_layout("a.profraw", raw_profile(std::string("\x03\x00" "abc", 5))).ok());
  EXPECT_TRUE(check_instr_layout("a.profdata", indexed_profile()).ok());
  EXPECT_TRUE(check_instr_layout("a.proftext", "# IR level Instrumentation Flag\n:ir\n").ok());
}

TEST(InstrLayout, RawSizesBeyondTheFileAreNamed) {
  std::string p = raw_profile();
  set64(p, 8 * 14, uint64_t{1} << 62);  // VNamesSize
  auto checked = check_instr_layout("forged.profraw", p);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, ErrorCode::Input);
  EXPECT_NE(checked.error().message.find("forged.profraw"), std::string::npos) << checked.error().message;
  EXPECT_NE(checked.error().message.find("VNamesSize"), std::string::npos) << checked.error().message;
  auto cut = check_instr_layout("cut.profraw", raw_profile().substr(0, 60));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("cut off"), std::string::npos) << cut.error().message;
  // Sizes that each fit but not together.
  std::string sum = raw_profile();
  set64(sum, 8 * 3, 2);  // NumData: two 64-byte records the file does not hold
  EXPECT_FALSE(check_instr_layout("sum.profraw", sum).ok());
}

TEST(InstrLayout, RawNameChunksStayInTheirSection) {
  // One chunk claiming 200 uncompressed bytes, stored (compressed size 0), in a 5-byte section.
  auto checked = check_instr_layout("names.profraw", raw_profile(std::string("\xc8\x01\x00" "ab", 5)));
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("function names run past"), std::string::npos) << checked.error().message;
  // A ULEB128 of zero continuation bytes longer than 64 bits.
  EXPECT_FALSE(check_instr_layout("uleb.profraw", raw_profile(std::string(12, '\x80'))).ok());
}

TEST(InstrLayout, EveryProfileOfAConcatenatedFileIsChecked) {
  std::string second = raw_profile();
  set64(second, 8 * 9, 4096);  // NamesSize beyond the file
  EXPECT_TRUE(check_instr_layout("two.profraw", raw_profile() + raw_profile()).ok());
  auto checked = check_instr_layout("two.profraw", raw_profile() + second);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("NamesSize"), std::string::npos) << checked.error().message;
  // LLVM skips zero bytes between profiles, and so does the check.
  EXPECT_FALSE(check_instr_layout("padded.profraw", raw_profile() + std::string(16, '\0') + second).ok());
}

TEST(InstrLayout, IndexedOffsetsAndRecordsStayInTheFile) {
  std::string offset = indexed_profile();
  set64(offset, 32, 1 << 20);  // HashOffset
  auto checked = check_instr_layout("offset.profdata", offset);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("HashOffset"), std::string::npos) << checked.error().message;
  std::string summary = indexed_profile();
  set64(summary, 72, 1000);  // summary fields the file does not hold
  EXPECT_FALSE(check_instr_layout("summary.profdata", summary).ok());
  std::string entry = indexed_profile();
  set64(entry, 96, 1);     // one record: at 88, a bucket count, hash, key and data lengths
  set64(entry, 106, 1000);  // its data length, past the file's end
  auto record = check_instr_layout("record.profdata", entry);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.error().message.find("record 0"), std::string::npos) << record.error().message;
  std::string ids = indexed_profile();
  set64(ids, 104, 64);  // 64 bytes of binary IDs in an 8-byte tail
  EXPECT_FALSE(check_instr_layout("ids.profdata", ids).ok());
}

TEST(SampleLayout, ExtBinarySectionsStayInTheFile) {
  // The extbinary magic and version 103 (ULEB128), then a one-entry section table.
  std::string p("\x84\xe4\xd0\xb1\xf4\xc9\x94\xa8\x53\x67", 10);
  put64(p, 1);
  put64(p, 1), put64(p, 0), put64(p, 50), put64(p, 0);  // type, flags, offset, size
  p.resize(60, '\0');
  EXPECT_TRUE(check_sample_layout("s.afdo", p).ok());
  set64(p, 10 + 8 + 24, 1000);  // the section's size
  auto checked = check_sample_layout("s.afdo", p);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, ErrorCode::Input);
  EXPECT_NE(checked.error().message.find("section 0 (1000 bytes at offset 50)"), std::string::npos)
      << checked.error().message;
  EXPECT_TRUE(check_sample_layout("t.txt", "main:100:1\n 1: 100\n").ok());
}

}  // namespace
}  // namespace pgopipe
