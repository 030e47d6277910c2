// SPDX-License-Identifier: Apache-2.0
#include "core/formats/pprof/pprof.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/fs.hpp"

namespace pgopipe::pprof {
namespace {

Profile small_profile() {
  Profile p;
  StringTable s(p);
  auto* st = p.add_sample_type();
  st->set_type(s.intern("samples"));
  st->set_unit(s.intern("count"));
  auto* m = p.add_mapping();
  m->set_id(1);
  m->set_memory_start(0x400000);
  m->set_memory_limit(0x800000);
  m->set_filename(s.intern("/bin/app"));
  m->set_build_id(s.intern("abcdef"));
  auto* f = p.add_function();
  f->set_id(1);
  f->set_name(s.intern("main.work"));
  f->set_filename(s.intern("main.go"));
  f->set_start_line(10);
  auto* l = p.add_location();
  l->set_id(1);
  l->set_mapping_id(1);
  l->set_address(0x401000);
  auto* line = l->add_line();
  line->set_function_id(1);
  line->set_line(12);
  line->set_column(3);
  auto* sample = p.add_sample();
  sample->add_location_id(1);
  sample->add_value(7);
  p.set_period(10000000);
  return p;
}

TEST(PprofCodec, RoundTripGzipAndPlain) {
  Profile p = small_profile();
  for (bool compress : {true, false}) {
    auto bytes = serialize(p, compress);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(is_gzip(*bytes), compress);
    auto back = parse("mem", *bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->SerializeAsString(), p.SerializeAsString());
    EXPECT_EQ(string_at(*back, back->function(0).name()), "main.work");
    EXPECT_EQ(back->function(0).start_line(), 10);
    EXPECT_EQ(back->location(0).line(0).column(), 3);
  }
}

TEST(PprofCodec, WriteFileIsAtomicAndReadable) {
  ScratchDir scratch("pprof-codec");
  const auto& dir = scratch.path();
  auto path = dir / "out.pb.gz";
  ASSERT_TRUE(write_file(path, small_profile()).ok());
  auto back = read_file(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->sample(0).value(0), 7);
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temp file left behind
}

TEST(PprofCodec, ZeroByteInputIsNamedError) {
  auto r = parse("empty.pb.gz", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("empty.pb.gz"), std::string::npos);
  EXPECT_NE(r.error().message.find("zero bytes"), std::string::npos);
}

TEST(PprofCodec, TruncatedGzipIsNamedError) {
  auto bytes = *serialize(small_profile(), true);
  auto r = parse("cut.pb.gz", std::string_view(bytes).substr(0, bytes.size() / 2));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cut.pb.gz"), std::string::npos);
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
}

TEST(PprofCodec, CorruptGzipIsNamedError) {
  auto bytes = *serialize(small_profile(), true);
  for (size_t i = 12; i < bytes.size() - 8; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  auto r = parse("bad.pb.gz", bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("bad.pb.gz"), std::string::npos);
}

TEST(PprofCodec, GarbageIsNotAProfile) {
  auto r = parse("junk.bin", std::string("\xff\xff\xff\xff\xff\xff", 6));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("junk.bin"), std::string::npos);
}

TEST(PprofCodec, GzipBombStopsAtLimitQuickly) {
  std::string zeros(64u << 20, '\0');
  auto bomb = *gzip(zeros, 9);
  zeros.clear();
  zeros.shrink_to_fit();
  ASSERT_LT(bomb.size(), 1u << 20);
  auto start = std::chrono::steady_clock::now();
  auto r = parse("bomb.pb.gz", bomb, ReadOptions{.limits = {.max_decompressed_bytes = 8u << 20}});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("bomb.pb.gz"), std::string::npos);
  EXPECT_NE(r.error().message.find("gzip bomb"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

// A "Vm...:  N kB" field of /proc/self/status, in KiB (-1 when absent).
long status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, std::regex(field + R"(:\s+(\d+) kB)"))) return std::stol(m[1]);
  return -1;
}

TEST(PprofCodec, GzipBombStopsAtLimitWithBoundedMemory) {
  // 1 GiB of zeros in about 1 MiB of gzip (16 concatenated 64 MiB members, a valid gzip
  // file): inflating it all would need 1 GiB.
  std::string member = *gzip(std::string(64u << 20, '\0'), 9);
  std::string bomb;
  for (int i = 0; i < 16; ++i) bomb += member;
  member.clear();
  member.shrink_to_fit();
  ASSERT_LT(bomb.size(), 2u << 20);
  // Writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS.
  std::ofstream reset("/proc/self/clear_refs");
  reset << "5";
  reset.close();
  long before = status_kib("VmRSS");
  if (!reset || before < 0 || status_kib("VmHWM") > before + 16 * 1024)
    GTEST_SKIP() << "SKIPPED: cannot reset the peak RSS via /proc/self/clear_refs (VmRSS " << before
                 << " KiB, VmHWM " << status_kib("VmHWM") << " KiB): memory bound not measured";
  auto start = std::chrono::steady_clock::now();
  auto r = parse("bomb.pb.gz", bomb, ReadOptions{.limits = {.max_decompressed_bytes = 8u << 20}});
  auto elapsed = std::chrono::steady_clock::now() - start;
  long growth_kib = status_kib("VmHWM") - before;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("gzip bomb"), std::string::npos) << r.error().message;
  // The 8 MiB limit plus the buffer growth (and sanitizer quarantine), not the 1 GiB.
  EXPECT_LT(growth_kib, 64 * 1024) << "peak RSS grew by " << growth_kib << " KiB";
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

// Found by fuzz_pprof_merge: a string table entry that is not UTF-8 (a Latin-1 path, a raw
// label value) made protobuf reject the whole profile, while Go's pprof reads it.
TEST(PprofCodec, NonUtf8StringsAreKept) {
  Profile p = small_profile();
  StringTable s(p);
  p.mutable_function(0)->set_name(s.intern("caf\xe9::\xff\xfe"));
  for (bool compress : {false, true}) {
    auto bytes = serialize(p, compress);
    ASSERT_TRUE(bytes.ok());
    auto r = parse("latin1.pb", *bytes);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(string_at(*r, r->function(0).name()), "caf\xe9::\xff\xfe");
  }
}

TEST(PprofCodec, ValidationNamesBadReferences) {
  {
    Profile p = small_profile();
    p.mutable_sample(0)->add_location_id(99);
    auto r = validate("a.pb", p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("a.pb: sample 0 refers to unknown location id 99"),
              std::string::npos) << r.error().message;
  }
  {
    Profile p = small_profile();
    p.mutable_location(0)->mutable_line(0)->set_function_id(5);
    EXPECT_NE(validate("b.pb", p).error().message.find("unknown function id 5"), std::string::npos);
  }
  {
    Profile p = small_profile();
    p.mutable_location(0)->set_mapping_id(3);
    EXPECT_NE(validate("c.pb", p).error().message.find("unknown mapping id 3"), std::string::npos);
  }
  {
    Profile p = small_profile();
    p.mutable_function(0)->set_name(1000);
    EXPECT_NE(validate("d.pb", p).error().message.find("string index 1000"), std::string::npos);
  }
  {
    Profile p = small_profile();
    p.mutable_sample(0)->add_value(1);
    EXPECT_NE(validate("e.pb", p).error().message.find("2 values"), std::string::npos);
  }
  {
    Profile p = small_profile();
    p.add_function()->set_id(1);
    EXPECT_NE(validate("f.pb", p).error().message.find("duplicate function id 1"), std::string::npos);
  }
  // Parse validates by default and can skip it.
  Profile p = small_profile();
  p.mutable_sample(0)->add_location_id(42);
  auto bytes = *serialize(p, false);
  EXPECT_FALSE(parse("g.pb", bytes).ok());
  EXPECT_TRUE(parse("g.pb", bytes, ReadOptions{.validate = false}).ok());
}

TEST(PprofCodec, ConcatenatedGzipMembers) {
  auto a = *gzip("hello ");
  auto b = *gzip("world");
  auto r = gunzip("cat.gz", a + b, 1024);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "hello world");
}

TEST(PprofCodec, StringTableInterns) {
  Profile p;
  StringTable s(p);
  EXPECT_EQ(s.intern(""), 0);
  EXPECT_EQ(s.intern("x"), 1);
  EXPECT_EQ(s.intern("y"), 2);
  EXPECT_EQ(s.intern("x"), 1);
  EXPECT_EQ(p.string_table_size(), 3);
}

}  // namespace
}  // namespace pgopipe::pprof
