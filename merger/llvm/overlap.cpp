// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/overlap.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/ProfileData/SampleProfReader.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "core/fs.hpp"
#include "merger/llvm/layout_checks.hpp"
#include "merger/llvm/llvm_support.hpp"

namespace pgopipe::llvm_merge {
namespace {

namespace fs = std::filesystem;
namespace sp = llvm::sampleprof;

Error llvm_error(const fs::path& file, llvm::Error e) {
  return make_error(ErrorCode::Input, "{}: {}", file.string(), llvm::toString(std::move(e)));
}

// A sample profile as LLVM's reader holds it; the reader owns the FunctionSamples.
struct SampleProfile {
  llvm::LLVMContext context;
  std::unique_ptr<sp::SampleProfileReader> reader;
};

Result<std::unique_ptr<SampleProfile>> read_sample_profile(const fs::path& file) {
  auto profile = std::make_unique<SampleProfile>();
  auto reader = sp::SampleProfileReader::create(file.string(), profile->context,
                                                *llvm::vfs::getRealFileSystem());
  if (!reader) {
    return make_error(ErrorCode::Input, "{}: {}", file.string(), reader.getError().message());
  }
  if (std::error_code ec = (*reader)->read()) {
    return make_error(ErrorCode::Input, "{}: {}", file.string(), ec.message());
  }
  for (const auto& [id, samples] : (*reader)->getProfiles()) {
    if (size_t depth = inline_depth(samples); depth > InputLimits{}.max_stack_depth) {
      return make_error(ErrorCode::Input, "{}: {} has inlined call sites {} levels deep (limit "
                        "limits.max_stack_depth)", file.string(), samples.getContext().toString(), depth);
    }
  }
  profile->reader = std::move(*reader);
  return profile;
}

// The body samples of `f` and of everything inlined into it.
double sample_sum(const sp::FunctionSamples& f) {
  double sum = 0;
  for (const auto& [loc, record] : f.getBodySamples()) sum += static_cast<double>(record.getSamples());
  for (const auto& [loc, callees] : f.getCallsiteSamples()) {
    for (const auto& [name, inlinee] : callees) sum += sample_sum(inlinee);
  }
  return sum;
}

// The sum over the blocks of a and b (body samples, inlinees matched by call site and name)
// of |share in a - share in b|, each share relative to its top-level function's samples
// (sum_a, sum_b); an inlinee present on one side only counts as one block.
double block_difference(const sp::FunctionSamples& a, const sp::FunctionSamples& b, double sum_a,
                        double sum_b) {
  auto share = [](double samples, double sum) { return sum > 0 ? samples / sum : 0.0; };
  double difference = 0;
  const auto& body_a = a.getBodySamples();
  const auto& body_b = b.getBodySamples();
  for (const auto& [loc, record] : body_a) {
    auto other = body_b.find(loc);
    double in_b = other == body_b.end() ? 0.0 : static_cast<double>(other->second.getSamples());
    difference += std::fabs(share(static_cast<double>(record.getSamples()), sum_a) - share(in_b, sum_b));
  }
  for (const auto& [loc, record] : body_b) {
    if (!body_a.contains(loc)) difference += share(static_cast<double>(record.getSamples()), sum_b);
  }
  const auto& calls_a = a.getCallsiteSamples();
  const auto& calls_b = b.getCallsiteSamples();
  for (const auto& [loc, callees] : calls_a) {
    auto other = calls_b.find(loc);
    for (const auto& [name, inlinee] : callees) {
      const sp::FunctionSamples* match = nullptr;
      if (other != calls_b.end()) {
        if (auto it = other->second.find(name); it != other->second.end()) match = &it->second;
      }
      difference += match ? block_difference(inlinee, *match, sum_a, sum_b)
                          : share(sample_sum(inlinee), sum_a);
    }
  }
  for (const auto& [loc, callees] : calls_b) {
    auto other = calls_a.find(loc);
    for (const auto& [name, inlinee] : callees) {
      if (other == calls_a.end() || !other->second.contains(name)) {
        difference += share(sample_sum(inlinee), sum_b);
      }
    }
  }
  return difference;
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
  PGO_TRY_ASSIGN(auto a, read_sample_profile(base));
  PGO_TRY_ASSIGN(auto b, read_sample_profile(test));
  const auto& functions_a = a->reader->getProfiles();
  const auto& functions_b = b->reader->getProfiles();
  double total_a = 0, total_b = 0;
  for (const auto& [id, f] : functions_a) total_a += sample_sum(f);
  for (const auto& [id, f] : functions_b) total_b += sample_sum(f);
  if (total_a <= 0 || total_b <= 0) return 0.0;
  double similarity = 0;
  for (const auto& [key, f] : functions_b) {
    auto match = functions_a.find(f.getContext());
    if (match == functions_a.end()) continue;  // a function on one side only adds nothing
    double sum_a = sample_sum(match->second), sum_b = sample_sum(f);
    double internal = (2.0 - block_difference(match->second, f, sum_a, sum_b)) / 2.0;
    double weight_a = sum_a / total_a, weight_b = sum_b / total_b;
    similarity += internal * (1.0 - std::fabs(weight_a - weight_b)) * (weight_a + weight_b) / 2.0;
  }
  return std::clamp(similarity, 0.0, 1.0);
}

Result<double> profile_overlap(const fs::path& base, const fs::path& test) {
  PGO_TRY_ASSIGN(std::string a, read_file(base));
  PGO_TRY_ASSIGN(std::string b, read_file(test));
  ProfileFamily fa = family_of(format_of(a));
  ProfileFamily fb = family_of(format_of(b));
  if (fa != fb) {
    return make_error(ErrorCode::Input, "cannot compare a {} profile ({}) with a {} profile ({})",
                      to_string(fa), base.string(), to_string(fb), test.string());
  }
  // LLVM reads both files again by path: their layouts are checked here first, as every other
  // read of a profile from the store is (the base is the published profile).
  if (fa == ProfileFamily::Instr) {
    PGO_TRY(check_instr_layout(base.string(), a));
    PGO_TRY(check_instr_layout(test.string(), b));
    return instr_profile_overlap(base, test);
  }
  if (fa == ProfileFamily::Sample) {
    PGO_TRY(check_sample_layout(base.string(), a));
    PGO_TRY(check_sample_layout(test.string(), b));
    return sample_profile_overlap(base, test);
  }
  return make_error(ErrorCode::Input, "{}: no overlap measure for {} profiles", base.string(),
                    to_string(fa));
}

}  // namespace pgopipe::llvm_merge
