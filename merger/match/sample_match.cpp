// SPDX-License-Identifier: Apache-2.0
// Sample profile vs binary. A line-based sample profile keys each function's samples by line
// offset from the function's first line, so a function edited since it was profiled takes
// samples on the wrong lines unless clang's stale-profile matching remaps them. Inline call
// sites are the anchors that show it: a profiled site (offset, callee) must sit at the same
// offset in the binary's DWARF. A site whose offset holds other inlined callees in the
// binary has moved; one whose offset holds code but no inlined callee is a call the binary
// did not inline (still matched). Sampled lines with no code at their offset count against
// the function too.
#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/SampleProf.h>
#include <llvm/ProfileData/SampleProfReader.h>

#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "merger/convert/binaries.hpp"
#include "merger/convert/code_map.hpp"
#include "merger/convert/symbolizer.hpp"
#include "merger/llvm/llvm_support.hpp"
#include "merger/match/matchers.hpp"

namespace pgopipe::match {
namespace {

namespace sp = llvm::sampleprof;

// Sampled lines with no code in the binary may be this share of a function's body samples
// before it counts as changed (optimisation moves a little code between lines).
constexpr double kLostLineShare = 0.10;

// What the binary's DWARF has at each line offset of one function: the offsets with code and
// the callees inlined at each offset.
struct FunctionShape {
  std::set<uint32_t> lines;
  std::map<uint32_t, std::set<std::string, std::less<>>> inlined;
};

class BinaryShapes {
 public:
  static Result<BinaryShapes> open(const std::string& path) {
    BinaryShapes s;
    PGO_TRY_ASSIGN(convert::Binary b, convert::open_binary(path, /*require_debug_info=*/true));
    s.binary_ = std::make_unique<convert::Binary>(std::move(b));
    s.map_ = convert::make_code_map(*s.binary_);
    if (!s.map_) return make_error(ErrorCode::Input, "{}: cannot read its symbol table and DWARF", path);
    s.symbolizer_ = convert::make_inline_symbolizer();
    for (const auto& f : s.map_->functions()) s.ranges_[std::string(convert::canonical_function_name(f.name))].push_back(&f);
    return s;
  }

  // The shape of `function` in the binary; nullptr when it has no out-of-line copy.
  const FunctionShape* shape(const std::string& function) {
    auto ranges = ranges_.find(function);
    if (ranges == ranges_.end()) return nullptr;
    auto [it, added] = shapes_.try_emplace(function);
    if (!added) return &it->second;
    for (const auto* range : ranges->second) {
      for (uint64_t addr : map_->line_rows(range->start, range->end)) {
        auto frames = symbolizer_->frames(*binary_, addr);
        if (frames.empty() || frames[0].function != function || !frames[0].has_line) continue;
        it->second.lines.insert(frames[0].line_offset);
        if (frames.size() > 1) it->second.inlined[frames[0].line_offset].emplace(frames[1].function);
      }
    }
    return &it->second;
  }

 private:
  std::unique_ptr<convert::Binary> binary_;
  std::unique_ptr<convert::CodeMap> map_;
  std::unique_ptr<convert::InlineSymbolizer> symbolizer_;
  std::unordered_map<std::string, std::vector<const convert::FunctionRange*>> ranges_;
  std::unordered_map<std::string, FunctionShape> shapes_;
};

FunctionMatch match_function(const sp::FunctionSamples& fs, BinaryShapes& binary) {
  std::string name = fs.getFunction().str();
  FunctionMatch m{name, fs.getTotalSamples(), FunctionState::Missing, "no function of that name in the binary"};
  const FunctionShape* shape = binary.shape(name);
  if (!shape) return m;
  uint64_t body = 0, lost = 0;
  for (const auto& [loc, record] : fs.getBodySamples()) {
    body += record.getSamples();
    if (!shape->lines.contains(loc.LineOffset)) lost += record.getSamples();
  }
  size_t sites = 0, moved = 0;
  for (const auto& [loc, callees] : fs.getCallsiteSamples()) {
    for (const auto& [callee, samples] : callees) {
      if (samples.getTotalSamples() == 0) continue;
      ++sites;
      auto here = shape->inlined.find(loc.LineOffset);
      bool ok = here == shape->inlined.end() ? shape->lines.contains(loc.LineOffset)
                                              : here->second.contains(std::string_view(callee.stringRef()));
      if (!ok) ++moved;
    }
  }
  bool lines_lost = body > 0 && static_cast<double>(lost) > kLostLineShare * static_cast<double>(body);
  m.state = moved > 0 || lines_lost ? FunctionState::Changed : FunctionState::Matched;
  m.detail = fmt::format("{} of {} inlined call sites moved, {:.0f} % of body samples on lines without code",
                         moved, sites, body ? 100.0 * static_cast<double>(lost) / static_cast<double>(body) : 0.0);
  return m;
}

}  // namespace

Result<ProfileMatch> match_sample(std::string_view name, std::string_view bytes, const std::string& binary) {
  llvm::LLVMContext context;
  std::unique_ptr<sp::SampleProfileReader> reader;
  {
    std::lock_guard lock(llvm_merge::sample_globals_mutex());
    PGO_TRY_ASSIGN(reader, llvm_merge::read_sample_profile(name, bytes, context));
  }
  if (reader->useMD5()) {
    return make_error(ErrorCode::Usage, "{}: the profile names functions by MD5; match it before it is hashed", name);
  }
  if (reader->profileIsCS()) {
    return make_error(ErrorCode::Usage, "{}: context-sensitive sample profiles are not matched yet", name);
  }
  PGO_TRY_ASSIGN(BinaryShapes shapes, BinaryShapes::open(binary));
  ProfileMatch m;
  m.method = "names, sampled lines and inlined call sites against the binary's DWARF";
  for (const auto& [context_key, fs] : reader->getProfiles()) tally(m, match_function(fs, shapes));
  finish(m);
  return m;
}

}  // namespace pgopipe::match
