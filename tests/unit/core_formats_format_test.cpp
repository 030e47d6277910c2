// SPDX-License-Identifier: Apache-2.0
#include "core/formats/format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgopipe {
namespace {

ProfileFormat detect(const std::string& s) {
  return detect_format(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(Format, MagicBytes) {
  EXPECT_EQ(detect(std::string("\x1f\x8b\x08\x00", 4)), ProfileFormat::PprofGzip);
  EXPECT_EQ(detect(std::string("\x81rforpl\xff\x0a\x00\x00\x00\x00\x00\x00\x00", 16)), ProfileFormat::LlvmRaw);
  // The first bytes of an indexed profile written by llvm-profdata-19 merge.
  EXPECT_EQ(detect(std::string("\xfflprofi\x81\x0c\x00\x00\x00\x00\x00\x00\x00", 16)), ProfileFormat::LlvmIndexed);
  EXPECT_EQ(detect("PERFILE2xxxxxxxxxxxx"), ProfileFormat::PerfData);
  EXPECT_EQ(detect("main:1234:5\n 1: 100\n"), ProfileFormat::SampleText);
  EXPECT_EQ(detect("prog 123 1.0: 1 cpu-clock:\n\t  4011a6 main+0x16 (/bin/prog)\n"), ProfileFormat::PerfScript);
  EXPECT_EQ(detect(""), ProfileFormat::Unknown);
  EXPECT_EQ(detect("hello world\n"), ProfileFormat::Unknown);
}

TEST(Format, StructuralPprof) {
  // sample_type {type: 1, unit: 2}, string_table "", "cpu", "ns"
  std::string pb = std::string("\x0a\x04\x08\x01\x10\x02", 6) + std::string("\x32\x00", 2) +
                   "\x32\x03" "cpu" "\x32\x02" "ns";
  EXPECT_EQ(detect(pb), ProfileFormat::Pprof);
  EXPECT_EQ(detect(std::string("\x0a\x7f\x08", 3)), ProfileFormat::Unknown);  // length overruns
}

TEST(Format, FamilyOfExtension) {
  EXPECT_EQ(family_of_extension("out/merged.profdata"), ProfileFamily::Instr);
  EXPECT_EQ(family_of_extension("a.profraw"), ProfileFamily::Instr);
  EXPECT_EQ(family_of_extension("cpu.pb.gz"), ProfileFamily::Pprof);
  EXPECT_EQ(family_of_extension("cpu.pprof"), ProfileFamily::Pprof);
  EXPECT_EQ(family_of_extension("svc.afdo"), ProfileFamily::Sample);
  EXPECT_EQ(family_of_extension("svc.afdo.txt"), ProfileFamily::Sample);
  EXPECT_EQ(family_of_extension("run.perf.data"), ProfileFamily::Perf);
  EXPECT_EQ(family_of_extension("merged.out"), ProfileFamily::Unknown);
  EXPECT_EQ(family_of_extension("notes.txt"), ProfileFamily::Unknown);
}

TEST(Format, NamesRoundTrip) {
  for (auto f : {ProfileFormat::Pprof, ProfileFormat::PprofGzip, ProfileFormat::LlvmRaw,
                 ProfileFormat::LlvmIndexed, ProfileFormat::SampleText, ProfileFormat::SampleBinary,
                 ProfileFormat::SampleExtBinary, ProfileFormat::PerfData, ProfileFormat::PerfScript}) {
    EXPECT_EQ(*parse_format(to_string(f)), f);
  }
  EXPECT_EQ(family_of(ProfileFormat::LlvmIndexed), ProfileFamily::Instr);
  EXPECT_FALSE(parse_family("bogus"));
}

}  // namespace
}  // namespace pgopipe
