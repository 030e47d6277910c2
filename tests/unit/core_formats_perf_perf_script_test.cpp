// SPDX-License-Identifier: Apache-2.0
#include "core/formats/perf/perf_script.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/fs.hpp"

namespace pgopipe::perf {
namespace {

constexpr const char* kScript =
    "            app  4242/4242  10.000: PERF_RECORD_MMAP2 4242/4242: [0x5600000(0x2000) @ 0x1000 fe:00 1 2]: r-xp /srv/app\n"
    "            app  4242/4242  10.001: cpu-clock: \n"
    "\tffffffff81000010 do_syscall ([kernel.kallsyms])\n"
    "\t            1184 hot (/srv/app)\n"
    "\t            1215 main (/srv/app)\n"
    "\t               0 [unknown] ([unknown])\n"
    "\n"
    "            app  4242/4242  10.002: cpu-clock:      5600184 hot (/srv/app)\n"
    "            app  4242/4242  10.003: cpu-clock: \n"
    "\t            1184 hot (/srv/app)\n"
    "\t            1215 main (/srv/app)\n"
    "\t               0 [unknown] ([unknown])\n"
    "\n";

TEST(PerfScriptParser, MapsRelativeAndAbsoluteAddressesAndSkipsKernel) {
  AddressSamples out;
  ASSERT_TRUE(read_perf_script("t.txt", kScript, out));
  ASSERT_EQ(out.mappings().size(), 1u);
  EXPECT_EQ(out.mappings()[0].file, "/srv/app");
  EXPECT_EQ(out.stats.samples, 3u);
  EXPECT_EQ(out.stats.kernel_frames, 1u);
  EXPECT_EQ(out.stats.unmapped_frames, 2u);  // the two "0 [unknown]" frames
  ASSERT_EQ(out.samples().size(), 2u);       // identical stacks folded
  const auto& folded = out.samples()[0];
  EXPECT_EQ(folded.count, 2u);
  auto stack = out.stack(folded);
  ASSERT_EQ(stack.size(), 3u);
  EXPECT_EQ(stack[0].address, 0x5600184u);  // file offset 0x1184 - 0x1000 + start
  EXPECT_EQ(stack[0].mapping, 0u);
  EXPECT_EQ(stack[1].address, 0x5600215u);
  EXPECT_EQ(stack[2].mapping, kNoMapping);
  auto single = out.stack(out.samples()[1]);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].address, 0x5600184u);
}

TEST(PerfScriptParser, RepeatedIpOnlyHeadersKeepTheirPidAndFile) {
  // IP-only output without timestamps repeats the same header on every line (the parser
  // skips re-tokenizing it); a second process with its own mapping must not be confused
  // with the first, nor a timestamped header, nor a file read in blocks.
  std::string script =
      "app 4242/4242 PERF_RECORD_MMAP2 4242/4242: [0x5600000(0x2000) @ 0x1000 fe:00 1 2]: r-xp /srv/app\n"
      "app 4343/4343 PERF_RECORD_MMAP2 4343/4343: [0x7700000(0x2000) @ 0x1000 fe:00 1 2]: r-xp /srv/app\n";
  for (int i = 0; i < 3; ++i) script += "app 4242/4242 cpu-clock:      5600184 (/srv/app)\n";
  script += "app 4343/4343 cpu-clock:      7700184 (/srv/app)\n";
  script += "app 4242/4242 cpu-clock:      5600184 (/srv/app)\n";
  script += "app 4242/4242 9.5: cpu-clock:  5600190 (/srv/app)\n";
  script += "app 4242/4242 cpu-clock:      7700184 (/srv/app)";  // no mapping in 4242; no newline
  AddressSamples out;
  ASSERT_TRUE(read_perf_script("t.txt", script, out));
  EXPECT_EQ(out.stats.samples, 7u);
  EXPECT_EQ(out.stats.unmapped_frames, 1u);
  ASSERT_EQ(out.samples().size(), 4u);
  EXPECT_EQ(out.samples()[0].count, 4u);
  EXPECT_EQ(out.stack(out.samples()[1])[0].mapping, 1u);
  EXPECT_EQ(out.stack(out.samples()[2])[0].address, 0x5600190u);
  EXPECT_EQ(out.stack(out.samples()[3])[0].mapping, kNoMapping);

  ScratchDir dir("pgopipe-perf-input");
  auto path = dir.path() / "script.txt";
  { std::ofstream(path) << script; }
  AddressSamples from_file;
  ASSERT_TRUE(read_perf_script_file(path.string(), from_file));
  EXPECT_EQ(from_file.stats.samples, 7u);
  EXPECT_EQ(from_file.samples().size(), 4u);
}

TEST(PerfScriptParser, WithoutMmapEventsAddressesAreFileOffsets) {
  AddressSamples out;
  ASSERT_TRUE(read_perf_script("t.txt", "app 1/1 1.0: cpu-clock: \n\t  1184 hot (/srv/app)\n\n", out));
  ASSERT_EQ(out.mappings().size(), 1u);
  EXPECT_EQ(out.mappings()[0].start, 0u);
  EXPECT_EQ(out.stack(out.samples()[0])[0].address, 0x1184u);
}

TEST(PerfScriptParser, KeepsSymbolNamesPerMappedAddressWhenAsked) {
  AddressSamples out;
  FrameSymbols symbols;
  auto parser = make_perf_script_parser(out, {{"/srv/app", "abcd"}}, &symbols);
  for (std::string_view l :
       {"            app  4242/4242  10.000: PERF_RECORD_MMAP2 4242/4242: [0x5600000(0x2000) @ 0x1000 fe:00 1 2]: r-xp /srv/app",
        "            app  4242/4242  10.001: cpu-clock: ", "\t            1184 ns::f(int, char) const (/srv/app)",
        "\t            1215 main (/srv/app)", "\t            1300 [unknown] (/srv/app)", ""}) {
    parser->line(l);
  }
  EXPECT_EQ(parser->finish(), 1u);
  EXPECT_EQ(out.mappings()[0].build_id, "abcd");
  ASSERT_EQ(symbols.size(), 2u);
  EXPECT_EQ(symbols.at({0u, 0x5600184u}), "ns::f(int, char) const");
  EXPECT_EQ(symbols.at({0u, 0x5600215u}), "main");
}

TEST(PerfScriptParser, NoSamplesIsAnError) {
  AddressSamples out;
  auto r = read_perf_script("empty.txt", "nothing here\n", out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("empty.txt"), std::string::npos);
  EXPECT_FALSE(read_perf_script("empty.txt", "", out));
}

TEST(PerfScriptParser, OverlongLinesAreSkippedAndCountedNotBuffered) {
  ScratchDir dir("pgopipe-perf-overlong");
  auto path = dir.path() / "script.txt";
  {
    std::ofstream f(path, std::ios::binary);
    f << std::string(9u << 20, 'x') << "\n";  // one 9 MiB line, more than twice the cap
    f << kScript;
  }
  AddressSamples out;
  auto r = read_perf_script_file(path.string(), out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(out.stats.skipped_lines, 1u);
  EXPECT_EQ(out.stats.samples, 3u);  // everything after it is read as before
}

}  // namespace
}  // namespace pgopipe::perf
