// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/profile_stacks.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/SampleProf.h>
#include <llvm/ProfileData/SampleProfReader.h>

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>

#include "merger/llvm/llvm_support.hpp"

namespace pgopipe::llvm_merge {
namespace {

namespace sp = llvm::sampleprof;

// Appends the stacks of `root` (whose own frame is the last of `prefix`) and its inlinees,
// walking the inline tree with an explicit stack (the reader bounded its depth).
void collect(const sp::FunctionSamples& root, std::vector<std::string>& prefix,
             std::vector<ProfileStack>& out) {
  struct Item {
    const sp::FunctionSamples* samples;
    size_t depth;  // frames of `prefix` that belong to this item's path
  };
  size_t base = prefix.size();
  std::vector<Item> todo{{&root, base}};
  while (!todo.empty()) {
    Item it = todo.back();
    todo.pop_back();
    prefix.resize(it.depth);
    if (it.depth > base) prefix.back() = it.samples->getFunction().str();
    uint64_t self = 0;
    for (const auto& [loc, record] : it.samples->getBodySamples()) self += record.getSamples();
    if (self > 0) out.push_back(ProfileStack{prefix, self});
    size_t first = todo.size();
    for (const auto& [loc, callees] : it.samples->getCallsiteSamples()) {
      for (const auto& [callee, inlined] : callees) todo.push_back({&inlined, it.depth + 1});
    }
    std::reverse(todo.begin() + static_cast<std::ptrdiff_t>(first), todo.end());  // source order
  }
}

}  // namespace

Result<std::vector<ProfileStack>> read_sample_stacks(std::string_view name, std::string_view bytes,
                                                     size_t max_depth) {
  try {
    llvm::LLVMContext context;
    std::lock_guard lock(sample_globals_mutex());  // held while the profiles are walked too
    PGO_TRY_ASSIGN(auto reader, read_sample_profile(name, bytes, context, max_depth));
    // Visit functions by name so the stack list (and any SVG drawn from it) is deterministic.
    std::map<std::string, const sp::FunctionSamples*> by_name;
    for (const auto& [key, samples] : reader->getProfiles()) {
      by_name.emplace(samples.getContext().toString(), &samples);
    }
    std::vector<ProfileStack> out;
    for (const auto& [key, samples] : by_name) {
      std::vector<std::string> prefix;
      sp::SampleContext ctx = samples->getContext();
      if (ctx.hasContext()) {
        for (const auto& frame : ctx.getContextFrames()) prefix.push_back(frame.Func.str());
      } else {
        prefix.push_back(ctx.getFunction().str());
      }
      collect(*samples, prefix, out);
    }
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "{}: reading sample stacks failed: {}", name, e.what());
  }
}

Result<std::vector<ProfileStack>> read_instr_function_totals(std::string_view name,
                                                             std::string_view bytes) {
  try {
    auto ignore = [](llvm::Error e) { llvm::consumeError(std::move(e)); };
    PGO_TRY_ASSIGN(auto reader, open_instr_reader(name, bytes, ignore));
    std::map<std::string, uint64_t> totals;  // by name: several hashes of one function add up
    for (const auto& record : *reader) {
      uint64_t sum = 0;
      for (uint64_t c : record.Counts) sum += c;
      totals[record.Name.str()] += sum;
    }
    if (llvm::Error e = reader->getError()) {
      return llvm_input_error(name, "corrupt LLVM instrumented profile", std::move(e));
    }
    std::vector<ProfileStack> out;
    out.reserve(totals.size());
    for (auto& [fn, total] : totals) out.push_back(ProfileStack{{fn}, total});
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "{}: reading instrumented counts failed: {}", name, e.what());
  }
}

}  // namespace pgopipe::llvm_merge
