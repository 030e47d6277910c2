// SPDX-License-Identifier: Apache-2.0
// pgopipe convert against real tools: the workload is built by clang-19, addresses are
// chosen and symbolized by llvm-objdump/llvm-symbolizer (independent of the converter), the
// result is read back with LLVM's SampleProfileReader and consumed by clang-19.
#include <gtest/gtest.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/SampleProfReader.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "merger/convert/binaries.hpp"
#include "merger/convert/convert.hpp"
#include "tests/integration/convert/oracles.hpp"

namespace fs = std::filesystem;
namespace bp = boost::process;
using namespace pgopipe;

namespace {

struct Run {
  int code = -1;
  std::string out;
};

Run run(const std::string& tool, const std::vector<std::string>& args) {
  Run r;
  auto exe = fs::path(tool).is_absolute() ? boost::filesystem::path(tool) : bp::search_path(tool);
  if (exe.empty()) return r;
  bp::ipstream is;
  bp::child c(exe, bp::args(args), (bp::std_out & bp::std_err) > is, bp::std_in < bp::null);
  std::string line;
  while (std::getline(is, line)) r.out += line + "\n";
  c.wait();
  r.code = c.exit_code();
  return r;
}

struct SymFrame {
  std::string function;
  uint32_t line_offset = 0, discriminator = 0;
  bool has_line = true;
};

// Inline frames at `vaddr`, outermost first, from llvm-symbolizer.
std::vector<SymFrame> symbolize(const std::string& bin, uint64_t vaddr) {
  auto r = run("llvm-symbolizer-19", {"--obj=" + bin, "--inlining", "--functions=linkage",
                                      "--output-style=JSON", fmt::format("0x{:x}", vaddr)});
  std::vector<SymFrame> out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) return out;
  for (const auto& f : j[0]["Symbol"]) {
    uint32_t d = f["Discriminator"].get<uint32_t>();
    out.insert(out.begin(), SymFrame{f["FunctionName"].get<std::string>(),
                                     f["Line"].get<uint32_t>() - f["StartLine"].get<uint32_t>(),
                                     llvm::DILocation::getBaseDiscriminatorFromDiscriminator(d, false),
                                     f["Line"].get<uint32_t>() != 0});
  }
  return out;
}

std::vector<uint64_t> instructions_of(const std::string& bin, const std::string& fn,
                                      std::string* call_hot_loop_return = nullptr) {
  auto r = run("llvm-objdump-19", {"-d", "--no-show-raw-insn", "--disassemble-symbols=" + fn, bin});
  std::vector<uint64_t> addrs;
  std::istringstream in(r.out);
  std::string line;
  bool after_call = false;
  std::regex insn(R"(^\s+([0-9a-f]+):\s+(.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (!std::regex_match(line, m, insn)) continue;
    if (after_call && call_hot_loop_return) *call_hot_loop_return = m[1].str();
    after_call = m[2].str().find("call") != std::string::npos &&
                 m[2].str().find("<hot_loop>") != std::string::npos && call_hot_loop_return &&
                 call_hot_loop_return->empty();
    addrs.push_back(std::stoull(m[1].str(), nullptr, 16));
  }
  return addrs;
}

class ConvertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<ScratchDir>("pgopipe-convert");
    dir_ = scratch_->path();
    bin_ = (dir_ / "workload").string();
    auto r = run("clang-19", {"-O2", "-g", "-fdebug-info-for-profiling", "-fno-omit-frame-pointer",
                              WORKLOAD_SRC, "-o", bin_});
    if (r.code != 0) build_error_ = "clang-19 failed: " + r.out;
    auto id = run("llvm-readelf-19", {"-n", bin_});
    std::smatch m;
    if (std::regex_search(id.out, m, std::regex("Build ID: ([0-9a-f]+)"))) build_id_ = m[1];
  }
  static void TearDownTestSuite() {
    // PGOPIPE_KEEP_TEST_DIR keeps the directory for a look after the run.
    if (std::getenv("PGOPIPE_KEEP_TEST_DIR")) (void)scratch_.release();
    scratch_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(build_error_.empty()) << build_error_;
    ASSERT_FALSE(build_id_.empty()) << "workload has no GNU build id";
  }

  // BlockCountsGiveABlocksInstructionsItsSamplesPerInstructionAndScaleCalls in one mode.
  void check_block_counts(convert::BuildOptions::LineCounts mode);

  // Runtime address of ELF address `vaddr` in a mapping of the whole file at kStart.
  static uint64_t runtime(uint64_t vaddr) {
    auto b = convert::open_binary(bin_, false);
    for (const auto& s : b->loads)
      if (vaddr >= s.vaddr && vaddr < s.vaddr + s.file_size) return kStart + vaddr - s.vaddr + s.offset;
    ADD_FAILURE() << "address not in a PT_LOAD";
    return 0;
  }

  // Writes a pprof with one mapping (build id `id`) and the given stacks of runtime addresses.
  static std::string write_pprof(const std::string& name, const std::string& id,
                                 const std::vector<std::pair<std::vector<uint64_t>, int64_t>>& stacks) {
    pprof::Profile p;
    pprof::StringTable st(p);
    auto* t = p.add_sample_type();
    t->set_type(st.intern("samples"));
    t->set_unit(st.intern("count"));
    auto* m = p.add_mapping();
    m->set_id(1);
    m->set_memory_start(kStart);
    m->set_memory_limit(kStart + 0x100000);
    m->set_file_offset(0);
    m->set_filename(st.intern("/srv/workload"));
    m->set_build_id(st.intern(id));
    uint64_t next_loc = 1;
    for (const auto& [stack, count] : stacks) {
      auto* s = p.add_sample();
      for (uint64_t a : stack) {
        auto* l = p.add_location();
        l->set_id(next_loc);
        l->set_address(a);
        l->set_mapping_id(a >= kStart && a < kStart + 0x100000 ? 1 : 0);
        s->add_location_id(next_loc++);
      }
      s->add_value(count);
    }
    auto path = (dir_ / name).string();
    EXPECT_TRUE(pprof::write_file(path, p));
    return path;
  }

  static std::unique_ptr<llvm::sampleprof::SampleProfileReader> read_back(const std::string& path) {
    static llvm::LLVMContext ctx;
    auto fs = llvm::vfs::getRealFileSystem();
    auto reader = llvm::sampleprof::SampleProfileReader::create(path, ctx, *fs);
    if (!reader) return nullptr;
    if ((*reader)->read()) return nullptr;
    return std::move(*reader);
  }

  // Addresses the synthetic profiles sample, with their frames from llvm-symbolizer: A, an
  // instruction of hot_loop inside the inlined mix(); B, one of hot_loop's own lines at line
  // offset >= min_b_offset; ret, the return address of main's first call to hot_loop. Zero
  // where the workload lacks them.
  struct HotLoop {
    uint64_t a = 0;
    std::vector<SymFrame> fa;
    uint64_t b = 0;
    std::vector<SymFrame> fb;
    uint64_t ret = 0;
  };
  static HotLoop hot_loop_addresses(uint32_t min_b_offset) {
    HotLoop h;
    for (uint64_t addr : instructions_of(bin_, "hot_loop")) {
      auto f = symbolize(bin_, addr);
      if (!h.a && f.size() == 2 && f[1].function == "mix") h.a = addr, h.fa = f;
      if (!h.b && f.size() == 1 && f[0].function == "hot_loop" && f[0].line_offset >= min_b_offset)
        h.b = addr, h.fb = f;
    }
    std::string ret_hex;
    instructions_of(bin_, "main", &ret_hex);
    if (!ret_hex.empty()) h.ret = std::stoull(ret_hex, nullptr, 16);
    return h;
  }

  static constexpr uint64_t kStart = 0x555555554000ULL;
  static inline std::unique_ptr<ScratchDir> scratch_;
  static inline fs::path dir_;
  static inline std::string bin_, build_id_, build_error_;
};

TEST_F(ConvertTest, SyntheticPprofConvertsToExactSamples) {
  // A: an instruction of hot_loop inside the inlined mix(); B: one of hot_loop's own lines.
  auto [a, fa, b, fb, ret] = hot_loop_addresses(0);
  ASSERT_TRUE(a && b && ret) << "workload lacks the expected inlining/call";
  auto call = symbolize(bin_, ret - 1);
  ASSERT_EQ(call.size(), 1u);
  ASSERT_TRUE(call[0].has_line) << "the call to hot_loop sits on line 0";
  auto in = write_pprof("synthetic.pb.gz", build_id_,
                        {{{runtime(a), runtime(ret)}, 7}, {{runtime(b), runtime(ret)}, 3}});
  convert::ConvertOptions o{{in}, {bin_}, "", dir_ / "synthetic.afdo"};
  o.line_counts = convert::BuildOptions::LineCounts::Sum;  // the arithmetic below is per sample
  auto res = convert::convert_to_sample_profile(o);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->report.attributed_samples, 10u);

  auto reader = read_back((dir_ / "synthetic.afdo").string());
  ASSERT_TRUE(reader);
  using llvm::sampleprof::FunctionId;
  using llvm::sampleprof::LineLocation;
  const auto* hot = reader->getSamplesFor("hot_loop");
  ASSERT_TRUE(hot);
  EXPECT_EQ(hot->getTotalSamples(), 10u);
  EXPECT_EQ(hot->getHeadSamples(), 10u);
  EXPECT_EQ(hot->getBodySamples().at(LineLocation(fb[0].line_offset, fb[0].discriminator)).getSamples(), 3u);
  const auto* callees = hot->findFunctionSamplesMapAt(LineLocation(fa[0].line_offset, fa[0].discriminator));
  ASSERT_TRUE(callees);
  const auto& mix = callees->at(FunctionId("mix"));
  EXPECT_EQ(mix.getTotalSamples(), 7u);
  EXPECT_EQ(mix.getBodySamples().at(LineLocation(fa[1].line_offset, fa[1].discriminator)).getSamples(), 7u);
  const auto* main_fs = reader->getSamplesFor("main");
  ASSERT_TRUE(main_fs);
  const auto& site = main_fs->getBodySamples().at(LineLocation(call[0].line_offset, call[0].discriminator));
  EXPECT_EQ(site.getCallTargets().at(FunctionId("hot_loop")), 10u);
}

// The address after the first instruction of `fn` whose text contains `needle` (a call's
// return address); zero when there is none.
uint64_t return_after(const std::string& bin, const std::string& fn, const std::string& needle) {
  auto r = run("llvm-objdump-19", {"-d", "--no-show-raw-insn", "--disassemble-symbols=" + fn, bin});
  std::istringstream in(r.out);
  std::regex insn(R"(^\s+([0-9a-f]+):\s+(.*)$)");
  std::smatch m;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    if (!std::regex_match(line, m, insn)) continue;
    if (found) return std::stoull(m[1].str(), nullptr, 16);
    found = m[2].str().find(needle) != std::string::npos;
  }
  return 0;
}

// A frame-pointer stack sampled at a function's first instruction skips its caller: the
// sample shows the grandparent's call site. The converter gives such samples back to the call
// site that makes the call (here apply_ops's indirect call), unless told to keep the stacks.
TEST_F(ConvertTest, SamplesAtAFunctionsEntryGoBackToTheCallSiteTheirStackSkipped) {
  const auto add = instructions_of(bin_, "op_add"), mul = instructions_of(bin_, "op_mul");
  const uint64_t indirect_ret = return_after(bin_, "apply_ops", "*");
  const uint64_t main_ret = return_after(bin_, "main", "<apply_ops>");
  ASSERT_TRUE(add.size() >= 3 && mul.size() >= 3 && indirect_ret && main_ret) << "workload lacks apply_ops";
  auto indirect = symbolize(bin_, indirect_ret - 1), in_main = symbolize(bin_, main_ret - 1);
  ASSERT_TRUE(indirect.size() == 1 && in_main.size() == 1);
  // op_add and op_mul sampled in their bodies under apply_ops (correct stacks), and op_add at
  // its entry, where the stack goes straight from op_add to main.
  auto in = write_pprof("entry.pb.gz", build_id_,
                        {{{runtime(mul[2]), runtime(indirect_ret), runtime(main_ret)}, 5},
                         {{runtime(add[2]), runtime(indirect_ret), runtime(main_ret)}, 2},
                         {{runtime(add[0]), runtime(main_ret)}, 7}});
  using llvm::sampleprof::FunctionId;
  using llvm::sampleprof::LineLocation;
  auto targets = [](const llvm::sampleprof::FunctionSamples* fs, const SymFrame& at) {
    std::map<std::string, uint64_t> out;
    if (!fs) return out;
    auto it = fs->getBodySamples().find(LineLocation(at.line_offset, at.discriminator));
    if (it == fs->getBodySamples().end()) return out;
    for (const auto& [callee, n] : it->second.getCallTargets()) out[callee.str()] = n;
    return out;
  };
  for (bool restore : {true, false}) {
    SCOPED_TRACE(restore ? "restored" : "as recorded");
    convert::ConvertOptions o{{in}, {bin_}, "", dir_ / "entry.afdo"};
    o.line_counts = convert::BuildOptions::LineCounts::Sum;  // the arithmetic below is per sample
    o.restore_lost_callers = restore;
    auto res = convert::convert_to_sample_profile(o);
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->report.lost_caller_samples, restore ? 7u : 0u);
    EXPECT_EQ(res->report.restored_caller_samples, restore ? 7u : 0u);
    auto reader = read_back((dir_ / "entry.afdo").string());
    ASSERT_TRUE(reader);
    const auto* op_add = reader->getSamplesFor("op_add");
    ASSERT_TRUE(op_add);
    EXPECT_EQ(op_add->getHeadSamples(), 9u);  // every call counted once, either way
    using Targets = std::map<std::string, uint64_t>;
    if (restore) {
      EXPECT_EQ(targets(reader->getSamplesFor("apply_ops"), indirect[0]), (Targets{{"op_add", 9}, {"op_mul", 5}}));
      EXPECT_EQ(targets(reader->getSamplesFor("main"), in_main[0]), (Targets{{"apply_ops", 14}}));
    } else {
      EXPECT_EQ(targets(reader->getSamplesFor("apply_ops"), indirect[0]), (Targets{{"op_add", 2}, {"op_mul", 5}}));
      EXPECT_EQ(targets(reader->getSamplesFor("main"), in_main[0]), (Targets{{"apply_ops", 7}, {"op_add", 7}}));
    }
  }
}

// The instructions of `fn` inside its symbol's size (llvm-objdump also lists the padding
// after it).
std::vector<uint64_t> sized_instructions_of(const std::string& bin, const std::string& fn) {
  auto insns = instructions_of(bin, fn);
  auto r = run("llvm-nm-19", {"-S", "--defined-only", bin});
  std::smatch m;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (!std::regex_match(line, m, std::regex(R"(([0-9a-f]+) ([0-9a-f]+) [tT] )" + fn))) continue;
    const uint64_t end = std::stoull(m[1].str(), nullptr, 16) + std::stoull(m[2].str(), nullptr, 16);
    std::erase_if(insns, [end](uint64_t a) { return a >= end; });
  }
  return insns;
}

TEST_F(ConvertTest, BlockCountsGiveABlocksInstructionsItsSamplesPerInstructionAndScaleCalls) {
  // op_add and op_mul are one basic block each (no branch before their ret). 6 samples on
  // one instruction of op_mul and 2 on one of op_add, under apply_ops' indirect call. Fitted
  // to the flow (the default), a function of one block keeps its estimate.
  for (auto mode : {convert::BuildOptions::LineCounts::Blocks, convert::BuildOptions::LineCounts::Flow}) {
    SCOPED_TRACE(mode == convert::BuildOptions::LineCounts::Flow ? "flow" : "blocks");
    check_block_counts(mode);
  }
}

void ConvertTest::check_block_counts(convert::BuildOptions::LineCounts mode) {
  const auto add = sized_instructions_of(bin_, "op_add"), mul = sized_instructions_of(bin_, "op_mul");
  const uint64_t indirect_ret = return_after(bin_, "apply_ops", "*");
  const uint64_t main_ret = return_after(bin_, "main", "<apply_ops>");
  ASSERT_TRUE(add.size() >= 3 && mul.size() >= 3 && indirect_ret && main_ret) << "workload lacks apply_ops";
  auto in = write_pprof("blocks.pb.gz", build_id_,
                        {{{runtime(mul[2]), runtime(indirect_ret), runtime(main_ret)}, 6},
                         {{runtime(add[2]), runtime(indirect_ret), runtime(main_ret)}, 2}});
  convert::ConvertOptions o{{in}, {bin_}, "", dir_ / "blocks.afdo"};
  o.line_counts = mode;
  auto res = convert::convert_to_sample_profile(o);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->report.attributed_samples, 8u);
  auto reader = read_back((dir_ / "blocks.afdo").string());
  ASSERT_TRUE(reader);
  // Every line of each function, sampled or not, gets 1000 x samples / instructions.
  uint64_t body_total = 0;
  for (auto [fn, insns, samples] : {std::tuple{"op_mul", mul, 6.0}, {"op_add", add, 2.0}}) {
    SCOPED_TRACE(fn);
    const auto* fs = reader->getSamplesFor(fn);
    ASSERT_TRUE(fs);
    const auto estimate = static_cast<uint64_t>(std::llround(1000 * samples / static_cast<double>(insns.size())));
    for (uint64_t addr : insns) {
      auto f = symbolize(bin_, addr);
      if (f.size() != 1 || !f[0].has_line) continue;
      EXPECT_EQ(fs->getBodySamples().at({f[0].line_offset, f[0].discriminator}).getSamples(), estimate);
    }
    EXPECT_EQ(fs->getTotalSamples() % estimate, 0u);
    body_total += fs->getTotalSamples();
  }
  // Calls and head samples follow the body's scale: body total / attributed samples.
  const double scale = static_cast<double>(body_total) / 8;
  auto scaled = [&](double n) { return static_cast<uint64_t>(std::llround(n * scale)); };
  EXPECT_EQ(reader->getSamplesFor("op_mul")->getHeadSamples(), scaled(6));
  EXPECT_EQ(reader->getSamplesFor("op_add")->getHeadSamples(), scaled(2));
  auto indirect = symbolize(bin_, indirect_ret - 1);
  ASSERT_EQ(indirect.size(), 1u);
  const auto* apply = reader->getSamplesFor("apply_ops");
  ASSERT_TRUE(apply);
  std::map<std::string, uint64_t> targets;
  for (const auto& [callee, n] :
       apply->getBodySamples().at({indirect[0].line_offset, indirect[0].discriminator}).getCallTargets())
    targets[callee.str()] = n;
  EXPECT_EQ(targets, (std::map<std::string, uint64_t>{{"op_add", scaled(2)}, {"op_mul", scaled(6)}}));
}

TEST_F(ConvertTest, SourceDiffMovesLinesToTheNewSourceAndDropsChangedOnes) {
  // The same synthetic samples as above, converted for a newer workload.c: two lines inserted
  // in hot_loop before its loop, then the call line of mix() rewritten.
  auto [a, fa, b, fb, ret] = hot_loop_addresses(2);  // B below the inserted lines
  ASSERT_TRUE(a && b && ret) << "workload lacks the expected inlining/call";
  ASSERT_EQ(fa[0].line_offset, 3u) << "mix() is no longer called on workload.c:14";
  auto in = write_pprof("diffed.pb.gz", build_id_, {{{runtime(a), runtime(ret)}, 7}, {{runtime(b), runtime(ret)}, 3}});
  auto convert_with = [&](const std::string& diff_text) {
    std::ofstream(dir_ / "change.diff") << diff_text;
    convert::ConvertOptions o{{in}, {bin_}, "", dir_ / "diffed.afdo"};
    o.line_counts = convert::BuildOptions::LineCounts::Sum;  // the arithmetic below is per sample
    o.source_diff = (dir_ / "change.diff").string();
    return convert::convert_to_sample_profile(o);
  };
  using llvm::sampleprof::FunctionId;
  using llvm::sampleprof::LineLocation;

  auto moved = convert_with(R"(--- a/tests/integration/convert/workload.c
+++ b/tests/integration/convert/workload.c
@@ -12,2 +12,4 @@ __attribute__((noinline)) unsigned hot_loop(unsigned n) {
   unsigned acc = 0;
+  if (n == 0)
+    return 0;
   for (unsigned i = 0; i < n; ++i) {
)");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->report.attributed_samples, 10u);
  auto reader = read_back((dir_ / "diffed.afdo").string());
  ASSERT_TRUE(reader);
  const auto* hot = reader->getSamplesFor("hot_loop");
  ASSERT_TRUE(hot);
  EXPECT_EQ(hot->getBodySamples().at(LineLocation(fb[0].line_offset + 2, fb[0].discriminator)).getSamples(), 3u);
  const auto* callees = hot->findFunctionSamplesMapAt(LineLocation(5, fa[0].discriminator));
  ASSERT_TRUE(callees) << "mix() was not moved to its new call line";
  EXPECT_EQ(callees->at(FunctionId("mix")).getTotalSamples(), 7u);

  auto rewritten = convert_with(R"(--- a/tests/integration/convert/workload.c
+++ b/tests/integration/convert/workload.c
@@ -14 +14 @@
-    acc += mix(i + acc);
+    acc += mix(i ^ acc);
)");
  ASSERT_TRUE(rewritten) << rewritten.error().message;
  EXPECT_EQ(rewritten->report.attributed_samples, 3u);  // the samples under the rewritten call are gone
  EXPECT_EQ(rewritten->report.changed_by_diff_samples, 7u);
  reader = read_back((dir_ / "diffed.afdo").string());
  ASSERT_TRUE(reader);
  hot = reader->getSamplesFor("hot_loop");
  ASSERT_TRUE(hot);
  EXPECT_EQ(hot->findFunctionSamplesMapAt(LineLocation(3, fa[0].discriminator)), nullptr);

  // main's call line rewritten: its call edges go, and they are not reported as frames
  // without a source line.
  auto call_rewritten = convert_with(R"(--- a/tests/integration/convert/workload.c
+++ b/tests/integration/convert/workload.c
@@ -32 +32 @@
-  r += hot_loop(n);
+  r += hot_loop(n) + 0;
)");
  ASSERT_TRUE(call_rewritten) << call_rewritten.error().message;
  EXPECT_EQ(call_rewritten->report.attributed_samples, 10u);
  EXPECT_EQ(call_rewritten->report.call_edges, 0u);
  EXPECT_EQ(call_rewritten->report.unsymbolized_frames, moved->report.unsymbolized_frames);

  auto broken = convert_with("--- a/workload.c\n+++ b/workload.c\n@@ -14 +14 @@\n-x\n");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("change.diff:4: the diff ends inside a hunk"), std::string::npos)
      << broken.error().message;
}

TEST_F(ConvertTest, BuildIdDirectoryAndCountedMismatches) {
  auto a = instructions_of(bin_, "hot_loop").front();
  auto dir = dir_ / "by-id";
  fs::create_directories(dir / ".build-id" / build_id_.substr(0, 2));
  fs::copy_file(bin_, dir / ".build-id" / build_id_.substr(0, 2) / (build_id_.substr(2) + ".debug"));
  // Good samples, samples of another build, and an address outside every mapping.
  auto good = write_pprof("good.pb.gz", build_id_, {{{runtime(a)}, 5}, {{0x1000}, 2}});
  auto other = write_pprof("other.pb.gz", "00112233445566778899aabbccddeeff00112233", {{{runtime(a)}, 4}});
  convert::ConvertOptions o{{good, other}, {}, dir.string(), dir_ / "dir.afdo"};
  o.line_counts = convert::BuildOptions::LineCounts::Sum;  // the arithmetic below is per sample
  auto res = convert::convert_to_sample_profile(o);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->report.attributed_samples, 5u);
  EXPECT_EQ(res->report.no_binary_frames, 4u);
  EXPECT_EQ(res->report.input.unmapped_frames, 2u);
  std::string all;
  for (const auto& w : res->warnings) all += w + "\n";
  EXPECT_NE(all.find("00112233445566778899aabbccddeeff00112233"), std::string::npos) << all;

  // Only a mismatching build: nothing attributed, a clear error, no output file.
  convert::ConvertOptions bad{{other}, {bin_}, "", dir_ / "bad.afdo"};
  auto err = convert::convert_to_sample_profile(bad);
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::NotFound);
  EXPECT_NE(err.error().message.find("no given binary"), std::string::npos) << err.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "bad.afdo"));
}

TEST_F(ConvertTest, WeightedInputsScaleBodyCounts) {
  // Two inputs, each 10 samples on a different line of hot_loop, weighted 3:1 on the CLI.
  uint64_t x = 0, y = 0;
  SymFrame fx, fy;
  for (uint64_t addr : instructions_of(bin_, "hot_loop")) {
    if (x && y) break;
    auto f = symbolize(bin_, addr);
    if (f.size() != 1 || !f[0].has_line) continue;
    if (!x) x = addr, fx = f[0];
    else if (!y && (f[0].line_offset != fx.line_offset || f[0].discriminator != fx.discriminator))
      y = addr, fy = f[0];
  }
  ASSERT_TRUE(x && y) << "hot_loop has fewer than two distinct lines";
  auto a = write_pprof("wa.pb.gz", build_id_, {{{runtime(x)}, 10}});
  auto b = write_pprof("wb.pb.gz", build_id_, {{{runtime(y)}, 10}});
  auto out = (dir_ / "weighted.afdo").string();
  auto conv = run(PGOPIPE_BIN, {"convert", a, b, "-o", out, "--binary", bin_, "--weight", a + "=3", "--line-counts", "sum"});
  ASSERT_EQ(conv.code, 0) << conv.out;
  auto reader = read_back(out);
  ASSERT_TRUE(reader);
  using llvm::sampleprof::LineLocation;
  const auto* hot = reader->getSamplesFor("hot_loop");
  ASSERT_TRUE(hot);
  EXPECT_EQ(hot->getBodySamples().at(LineLocation(fx.line_offset, fx.discriminator)).getSamples(), 30u);
  EXPECT_EQ(hot->getBodySamples().at(LineLocation(fy.line_offset, fy.discriminator)).getSamples(), 10u);
  EXPECT_EQ(hot->getTotalSamples(), 40u);

  // A weight naming no input is a usage error, and nothing is written.
  auto bad = run(PGOPIPE_BIN, {"convert", a, "-o", (dir_ / "w-bad.afdo").string(), "--binary", bin_,
                               "--weight", "nosuch.pb.gz=2"});
  EXPECT_NE(bad.code, 0) << bad.out;
  EXPECT_NE(bad.out.find("nosuch.pb.gz"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir_ / "w-bad.afdo"));
}

TEST_F(ConvertTest, LineCountsSumMaxOrMeanOverALinesInstructions) {
  // Two instructions of one source line (same inline stack, line, discriminator): 7 and 3
  // samples make the line 10 (sum), 7 (max) or 5 (mean).
  uint64_t x = 0, y = 0;
  std::vector<SymFrame> fx;
  for (uint64_t addr : instructions_of(bin_, "hot_loop")) {
    auto f = symbolize(bin_, addr);
    if (f.empty() || !f.back().has_line) continue;
    auto same = [&](const std::vector<SymFrame>& g) {
      if (g.size() != fx.size()) return false;
      for (size_t i = 0; i < g.size(); ++i)
        if (g[i].function != fx[i].function || g[i].line_offset != fx[i].line_offset ||
            g[i].discriminator != fx[i].discriminator)
          return false;
      return true;
    };
    if (x && same(f)) {
      y = addr;
      break;
    }
    x = addr, fx = f;
  }
  ASSERT_TRUE(x && y) << "no two adjacent instructions of hot_loop share a line";
  auto in = write_pprof("lines.pb.gz", build_id_, {{{runtime(x)}, 7}, {{runtime(y)}, 3}});
  using Mode = convert::BuildOptions::LineCounts;
  for (auto [mode, expected] : {std::pair{Mode::Sum, 10u}, {Mode::Max, 7u}, {Mode::Mean, 5u}}) {
    convert::ConvertOptions o{{in}, {bin_}, "", dir_ / "lines.afdo"};
    o.line_counts = mode;
    auto res = convert::convert_to_sample_profile(o);
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->report.attributed_samples, 10u);
    auto reader = read_back((dir_ / "lines.afdo").string());
    ASSERT_TRUE(reader);
    const llvm::sampleprof::FunctionSamples* fs = reader->getSamplesFor(fx[0].function);
    ASSERT_TRUE(fs);
    for (size_t k = 1; fs && k < fx.size(); ++k) {
      const auto* callees = fs->findFunctionSamplesMapAt({fx[k - 1].line_offset, fx[k - 1].discriminator});
      ASSERT_TRUE(callees);
      fs = &callees->at(llvm::sampleprof::FunctionId(fx[k].function));
    }
    EXPECT_EQ(fs->getBodySamples().at({fx.back().line_offset, fx.back().discriminator}).getSamples(), expected)
        << "mode " << static_cast<int>(mode);
    EXPECT_EQ(fs->getTotalSamples(), expected);
  }
}

TEST_F(ConvertTest, StrippedBinaryAndEmptyProfileAreClearErrors) {
  auto stripped = (dir_ / "stripped").string();
  ASSERT_EQ(run("llvm-strip-19", {"-o", stripped, bin_}).code, 0);
  auto a = instructions_of(bin_, "hot_loop").front();
  auto in = write_pprof("s.pb.gz", build_id_, {{{runtime(a)}, 5}});
  auto err = convert::convert_to_sample_profile({{in}, {stripped}, "", dir_ / "s.afdo"});
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("no debug info"), std::string::npos) << err.error().message;

  auto sdir = dir_ / "stripped-dir";
  fs::create_directories(sdir);
  fs::copy_file(stripped, sdir / build_id_);
  err = convert::convert_to_sample_profile({{in}, {}, sdir.string(), dir_ / "s.afdo"});
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("no debug info"), std::string::npos) << err.error().message;

  auto empty = write_pprof("empty.pb.gz", build_id_, {});
  err = convert::convert_to_sample_profile({{empty}, {bin_}, "", dir_ / "e.afdo"});
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::Input);
  EXPECT_NE(err.error().message.find("empty.pb.gz"), std::string::npos) << err.error().message;
}

TEST_F(ConvertTest, RealPerfRecordConvertsAndClangAppliesIt) {
  auto data = (dir_ / "perf.data").string();
  auto rec = run("perf", {"record", "-e", "cpu-clock", "-g", "-o", data, bin_, "60000000"});
  if (rec.code != 0) {
    std::ifstream p("/proc/sys/kernel/perf_event_paranoid");
    std::string paranoid;
    p >> paranoid;
    GTEST_SKIP() << "!!! perf record is NOT permitted on this machine (perf_event_paranoid="
                 << paranoid << "): the real-perf conversion check did not run !!!\n" << rec.out;
  }
  // --line-counts sum keeps each function's samples, which the oracle below counts.
  auto out = (dir_ / "perf.afdo").string();
  auto conv = run(PGOPIPE_BIN, {"convert", data, "--to", "llvm-sample", "-o", out, "--binary", bin_,
                                "--line-counts", "sum"});
  ASSERT_EQ(conv.code, 0) << conv.out;
  auto show = run("llvm-profdata-19", {"show", "--sample", out});
  ASSERT_EQ(show.code, 0) << show.out;
  EXPECT_NE(show.out.find("Function: hot_loop"), std::string::npos) << show.out;

  // perf script text (with mmap events) converts to the same hot function.
  auto script = run("perf", {"script", "-i", data, "--show-mmap-events"});
  ASSERT_EQ(script.code, 0);
  ASSERT_TRUE(write_file_atomic(dir_ / "perf.txt", script.out));
  auto txt = convert::convert_to_sample_profile({{(dir_ / "perf.txt").string()}, {bin_}, "",
                                                 dir_ / "perf-text.afdo", /*text=*/true});
  ASSERT_TRUE(txt) << txt.error().message;
  auto text = read_file(dir_ / "perf-text.afdo");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("hot_loop:"), std::string::npos) << *text;
  // Oracle: per function, the converted total equals the samples perf script puts there.
  auto plain = run("perf", {"script", "-i", data, "-F", "ip,sym,dso"});
  auto as_text = run("llvm-profdata-19", {"merge", "--sample", "--text", out, "-o", (dir_ / "perf.txt.afdo").string()});
  ASSERT_EQ(as_text.code, 0) << as_text.out;
  auto expected = convert_test::perf_script_totals(plain.out, fs::canonical(bin_).string());
  EXPECT_GE(expected["hot_loop"], 10) << plain.out.substr(0, 2000);
  EXPECT_EQ(convert_test::sample_profile_totals(read_file(dir_ / "perf.txt.afdo").value()), expected);

  // The default (execution-count estimates) profiles the same functions; clang applies it.
  auto estimated = (dir_ / "estimated.afdo").string(), estimated_text = (dir_ / "estimated.txt").string();
  ASSERT_EQ(run(PGOPIPE_BIN, {"convert", data, "-o", estimated, "--binary", bin_}).code, 0);
  ASSERT_EQ(run("llvm-profdata-19", {"merge", "--sample", "--text", estimated, "-o", estimated_text}).code, 0);
  std::set<std::string> expected_functions, estimated_functions;
  for (const auto& [fn, n] : expected) expected_functions.insert(fn);
  for (const auto& [fn, n] : convert_test::sample_profile_totals(read_file(estimated_text).value()))
    estimated_functions.insert(fn);
  EXPECT_EQ(estimated_functions, expected_functions);

  auto cc = run("clang-19", {"-O2", "-g", "-fdebug-info-for-profiling", "-fprofile-sample-use=" + estimated,
                             "-Rpass=sample-profile.*", "-c", WORKLOAD_SRC, "-o",
                             (dir_ / "pgo.o").string()});
  ASSERT_EQ(cc.code, 0) << cc.out;
  EXPECT_NE(cc.out.find("inlined into 'hot_loop' to match profiling context"), std::string::npos)
      << "clang did not apply the profile to hot_loop:\n" << cc.out;
}

}  // namespace
