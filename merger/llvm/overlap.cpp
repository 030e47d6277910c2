// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/overlap.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/ProfileData/SampleProfReader.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <map>
#include <string>

#include "core/fs.hpp"
#include "merger/llvm/llvm_support.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;
namespace sp = llvm::sampleprof;

Error llvm_error(const fs::path& file, llvm::Error e) {
  return make_error(ErrorCode::Input, "{}: {}", file.string(), llvm::toString(std::move(e)));
}

// Every body sample of `fs` and its inlinees, keyed by call path + line + discriminator.
void flatten(const sp::FunctionSamples& samples, const std::string& path,
             std::map<std::string, uint64_t>& out) {
  for (const auto& [loc, record] : samples.getBodySamples()) {
    out[fmt::format("{}@{}.{}", path, loc.LineOffset, loc.Discriminator)] += record.getSamples();
  }
  for (const auto& [loc, callees] : samples.getCallsiteSamples()) {
    for (const auto& [name, inlinee] : callees) {
      flatten(inlinee, fmt::format("{}@{}.{}>{}", path, loc.LineOffset, loc.Discriminator,
                                   name.str()),
              out);
    }
  }
}

Result<std::map<std::string, uint64_t>> read_sample_counts(const fs::path& file) {
  llvm::LLVMContext context;
  auto reader = sp::SampleProfileReader::create(file.string(), context,
                                                *llvm::vfs::getRealFileSystem());
  if (!reader) {
    return make_error(ErrorCode::Input, "{}: {}", file.string(), reader.getError().message());
  }
  if (std::error_code ec = (*reader)->read()) {
    return make_error(ErrorCode::Input, "{}: {}", file.string(), ec.message());
  }
  std::map<std::string, uint64_t> out;
  for (const auto& [id, samples] : (*reader)->getProfiles()) {
    if (size_t depth = llvm_support::inline_depth(samples); depth > InputLimits{}.max_stack_depth) {
      return make_error(ErrorCode::Input, "{}: {} has inlined call sites {} levels deep (limit "
                        "limits.max_stack_depth)", file.string(), samples.getContext().toString(), depth);
    }
    flatten(samples, samples.getContext().toString(), out);
  }
  return out;
}

}  // namespace

Result<double> instr_profile_overlap(const fs::path& base, const fs::path& test) {
  // The same steps as llvm-profdata's overlapInstrProfile: totals of both files first, then
  // base records into a writer, then each test record overlapped against it.
  llvm::OverlapStats overlap;
  if (llvm::Error e = overlap.accumulateCounts(base.string(), test.string(), /*IsCS=*/false)) {
    return llvm_error(base, std::move(e));
  }
  if (!overlap.Valid || overlap.Base.CountSum <= 0 || overlap.Test.CountSum <= 0) return 0.0;
  llvm::InstrProfWriter writer;
  auto base_reader = llvm::InstrProfReader::create(base.string(), *llvm::vfs::getRealFileSystem());
  if (!base_reader) return llvm_error(base, base_reader.takeError());
  std::string problem;
  for (auto& record : **base_reader) {
    writer.addRecord(std::move(record), 1, [&](llvm::Error e) {
      if (problem.empty()) problem = llvm::toString(std::move(e));
      else llvm::consumeError(std::move(e));
    });
  }
  if ((*base_reader)->hasError()) return llvm_error(base, (*base_reader)->getError());
  auto test_reader = llvm::InstrProfReader::create(test.string(), *llvm::vfs::getRealFileSystem());
  if (!test_reader) return llvm_error(test, test_reader.takeError());
  llvm::OverlapFuncFilters filter{0, ""};
  for (auto& record : **test_reader) {
    llvm::OverlapStats func_overlap(llvm::OverlapStats::FunctionLevel);
    func_overlap.setFuncInfo(record.Name, record.Hash);
    writer.overlapRecord(std::move(record), overlap, func_overlap, filter);
  }
  if ((*test_reader)->hasError()) return llvm_error(test, (*test_reader)->getError());
  return std::clamp(overlap.Overlap.CountSum, 0.0, 1.0);
}

Result<double> sample_profile_overlap(const fs::path& base, const fs::path& test) {
  sp::FunctionSamples::UseMD5 = false;
  PGO_TRY_ASSIGN(auto a, read_sample_counts(base));
  PGO_TRY_ASSIGN(auto b, read_sample_counts(test));
  double total_a = 0, total_b = 0;
  for (const auto& [k, v] : a) total_a += static_cast<double>(v);
  for (const auto& [k, v] : b) total_b += static_cast<double>(v);
  if (total_a <= 0 || total_b <= 0) return 0.0;
  double score = 0;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) continue;
    score += std::min(static_cast<double>(v) / total_a, static_cast<double>(it->second) / total_b);
  }
  return std::clamp(score, 0.0, 1.0);
}

Result<double> profile_overlap(const fs::path& base, const fs::path& test) {
  PGO_TRY_ASSIGN(std::string a, read_file(base));
  PGO_TRY_ASSIGN(std::string b, read_file(test));
  ProfileFamily fa = family_of(llvm_support::format_of(a));
  ProfileFamily fb = family_of(llvm_support::format_of(b));
  if (fa != fb) {
    return make_error(ErrorCode::Input, "cannot compare a {} profile ({}) with a {} profile ({})",
                      to_string(fa), base.string(), to_string(fb), test.string());
  }
  if (fa == ProfileFamily::Instr) return instr_profile_overlap(base, test);
  if (fa == ProfileFamily::Sample) return sample_profile_overlap(base, test);
  return make_error(ErrorCode::Input, "{}: no overlap measure for {} profiles", base.string(),
                    to_string(fa));
}

}  // namespace pgopipe
