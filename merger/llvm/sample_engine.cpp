// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/sample_engine.hpp"

#include <llvm/ADT/StringSet.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/SampleProf.h>
#include <llvm/ProfileData/SampleProfReader.h>
#include <llvm/ProfileData/SampleProfWriter.h>

#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/fs.hpp"
#include "merger/llvm/llvm_support.hpp"

namespace pgopipe::llvm_merge {
namespace {

namespace sp = llvm::sampleprof;

constexpr size_t kMaxRecordWarnings = 5;

// LLVM keeps the kind of the sample profile being read or written (CS, probe-based, FS
// discriminators, MD5 names) in process-wide globals of FunctionSamples: every read and write
// in this process holds this lock and sets or captures the globals while holding it.
// The lock is shared with the other readers in merger/llvm (profile_stacks.cpp).
std::mutex& globals_mutex() { return sample_globals_mutex(); }

struct SampleKind {
  bool probe_based = false;
  bool cs = false;
  bool pre_inlined = false;
  bool fs = false;
  bool md5 = false;
};

// One input, read completely (under the globals lock) before any engine state changes.
struct LoadedSample {
  std::unique_ptr<llvm::LLVMContext> context;     // the reader reports through it
  std::unique_ptr<sp::SampleProfileReader> reader;  // owns every name the profiles point at
  SampleKind kind;
};

Result<LoadedSample> load(std::string_view name, std::string_view bytes, size_t max_depth) {
  LoadedSample in;
  in.context = std::make_unique<llvm::LLVMContext>();
  std::lock_guard lock(globals_mutex());
  PGO_TRY_ASSIGN(in.reader, read_sample_profile(name, bytes, *in.context, max_depth));
  in.kind = SampleKind{in.reader->profileIsProbeBased(), in.reader->profileIsCS(),
                       in.reader->profileIsPreInlined(), in.reader->profileIsFS(),
                       in.reader->useMD5()};
  return in;
}

// Owns the names and context frames every FunctionId/SampleContext of one engine points at
// (LLVM's sample types do not own strings), so readers and their buffers can go away.
class NamePool {
 public:
  llvm::FunctionId id(llvm::FunctionId f) {
    if (!f.isStringRef()) return f;  // an MD5 name: no storage behind it
    return llvm::FunctionId(names_.insert(f.stringRef()).first->getKey());
  }

  sp::SampleContext context(const sp::SampleContext& original) {
    sp::SampleContext src = original;  // LLVM's state accessors are not const
    sp::SampleContext out;
    if (!src.hasContext()) {
      out = sp::SampleContext(id(src.getFunction()));
    } else {
      auto& frames = frames_.emplace_back();
      for (const auto& frame : src.getContextFrames()) frames.emplace_back(id(frame.Func), frame.Location);
      out = sp::SampleContext(frames, sp::RawContext);
      for (auto state : {sp::SyntheticContext, sp::InlinedContext, sp::MergedContext}) {
        if (src.hasState(state)) out.setState(state);
      }
      if (!src.hasState(sp::RawContext)) out.clearState(sp::RawContext);
    }
    out.setAllAttributes(src.getAllAttributes());
    return out;
  }

 private:
  llvm::StringSet<> names_;
  std::deque<sp::SampleContextFrameVector> frames_;
};

// Deep copy of `in` whose names all live in `pool`; `ctx` is its (already pooled) context.
sp::FunctionSamples rebase(const sp::FunctionSamples& in, const sp::SampleContext& ctx, NamePool& pool) {
  sp::FunctionSamples out;
  out.setContext(ctx);
  out.setFunctionHash(in.getFunctionHash());
  out.setTotalSamples(in.getTotalSamples());
  out.setHeadSamples(in.getHeadSamples());
  for (const auto& [loc, record] : in.getBodySamples()) {
    out.addBodySamples(loc.LineOffset, loc.Discriminator, record.getSamples());
    for (const auto& [target, count] : record.getCallTargets()) {
      out.addCalledTargetSamples(loc.LineOffset, loc.Discriminator, pool.id(target), count);
    }
  }
  for (const auto& [loc, callees] : in.getCallsiteSamples()) {
    auto& dst = out.functionSamplesAt(loc);
    for (const auto& [callee, samples] : callees) {
      dst.emplace(pool.id(callee), rebase(samples, pool.context(samples.getContext()), pool));
    }
  }
  return out;
}

sp::SampleProfileFormat llvm_format(ProfileFormat f) {
  switch (f) {
    case ProfileFormat::SampleText: return sp::SPF_Text;
    case ProfileFormat::SampleBinary: return sp::SPF_Binary;
    default: return sp::SPF_Ext_Binary;
  }
}

class SampleEngine final : public merge::MergeEngine {
 public:
  SampleEngine(ProfileFormat output, size_t max_depth, merge::WarnFn warn)
      : output_(output), max_depth_(max_depth), warn_(std::move(warn)), pools_{std::make_shared<NamePool>()} {}

  Result<void> add(std::string_view name, std::string_view bytes, double weight) override {
    PGO_TRY_ASSIGN(uint64_t w, integral_weight(name, weight));
    try {
      PGO_TRY_ASSIGN(LoadedSample in, load(name, bytes, max_depth_));
      PGO_TRY(check_kind(name, in.kind));
      // From here on nothing fails: the input is merged completely.
      NamePool& pool = *pools_.front();
      size_t warnings = 0;
      for (const auto& [key, samples] : in.reader->getProfiles()) {
        auto existing = profiles_.find(samples.getContext());
        sp::SampleContext ctx = existing != profiles_.end() ? existing->second.getContext()
                                                            : pool.context(samples.getContext());
        merge_one(name, rebase(samples, ctx, pool), w, warnings);
      }
      finish_warnings(name, warnings);
      if (auto list = in.reader->getProfileSymbolList()) symbols_.merge(*list);
      note_kind(in.kind);
      return success();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "{}: merging failed: {}", name, e.what());
    }
  }

  Result<void> absorb(merge::MergeEngine& other) override {
    auto* peer = dynamic_cast<SampleEngine*>(&other);
    if (peer == nullptr) {
      return make_error(ErrorCode::Internal, "cannot fold a {} engine into a sample engine",
                        to_string(other.family()));
    }
    if (peer == this || !peer->have_kind_) return success();
    try {
      PGO_TRY(check_kind("(worker results)", peer->kind_));
      // The peer's names stay valid: its pools now belong to this engine too.
      pools_.insert(pools_.end(), peer->pools_.begin(), peer->pools_.end());
      size_t warnings = 0;
      for (const auto& [key, samples] : peer->profiles_) merge_one("(worker results)", samples, 1, warnings);
      finish_warnings("(worker results)", warnings);
      symbols_.merge(peer->symbols_);
      note_kind(peer->kind_);
      peer->profiles_.clear();
      return success();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "merging worker results failed: {}", e.what());
    }
  }

  Result<void> write(const std::filesystem::path& out) override {
    try {
      // Serialised in memory (sample profiles are small next to their inputs), then written
      // atomically; LLVM's writer would otherwise abort the process on a failed file write.
      llvm::SmallVector<char, 0> data;
      {
        std::unique_ptr<llvm::raw_ostream> os = std::make_unique<llvm::raw_svector_ostream>(data);
        std::lock_guard lock(globals_mutex());
        sp::FunctionSamples::ProfileIsProbeBased = kind_.probe_based;
        sp::FunctionSamples::ProfileIsCS = kind_.cs;
        sp::FunctionSamples::ProfileIsPreInlined = kind_.pre_inlined;
        sp::FunctionSamples::ProfileIsFS = kind_.fs;
        sp::FunctionSamples::UseMD5 = kind_.md5;
        auto writer = sp::SampleProfileWriter::create(os, llvm_format(output_));
        if (!writer) {
          return make_error(ErrorCode::Internal, "{}: cannot create a {} writer: {}", out.string(),
                            to_string(output_), writer.getError().message());
        }
        if (kind_.md5) (*writer)->setUseMD5();
        if (symbols_.size() > 0) (*writer)->setProfileSymbolList(&symbols_);
        if (std::error_code ec = (*writer)->write(profiles_)) {
          return make_error(ErrorCode::Internal, "{}: cannot encode the sample profile: {}",
                            out.string(), ec.message());
        }
      }
      return write_file_atomic(out, std::string_view(data.data(), data.size()));
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "{}: writing failed: {}", out.string(), e.what());
    }
  }

  [[nodiscard]] ProfileFamily family() const override { return ProfileFamily::Sample; }

 private:
  Result<void> check_kind(std::string_view name, const SampleKind& in) const {
    if (!have_kind_) return success();
    auto mismatch = [&](const char* what, bool incoming) {
      return make_error(ErrorCode::Input, "{}: {} a {} sample profile but the profiles merged before {} "
                        "(cannot mix them)", name, incoming ? "is" : "is not", what,
                        incoming ? "are not" : "are");
    };
    if (in.probe_based != kind_.probe_based) return mismatch("probe-based", in.probe_based);
    if (in.cs != kind_.cs) return mismatch("context-sensitive", in.cs);
    if (in.md5 != kind_.md5) return mismatch("MD5-named", in.md5);
    return success();
  }

  // Records the kind of merged input (the checked flags are equal; the others accumulate).
  void note_kind(const SampleKind& in) {
    bool fs = kind_.fs || in.fs, pre_inlined = kind_.pre_inlined || in.pre_inlined;
    kind_ = in;
    kind_.fs = fs;
    kind_.pre_inlined = pre_inlined;
    have_kind_ = true;
  }

  void merge_one(std::string_view name, const sp::FunctionSamples& samples, uint64_t w, size_t& warnings) {
    llvm::sampleprof_error result = profiles_[samples.getContext()].merge(samples, w);
    if (result != llvm::sampleprof_error::success && ++warnings <= kMaxRecordWarnings && warn_) {
      warn_(std::string(name), fmt::format("function {}: {}", samples.getContext().toString(),
                                           std::error_code(llvm::make_error_code(result)).message()));
    }
  }

  void finish_warnings(std::string_view name, size_t warnings) const {
    if (warnings > kMaxRecordWarnings && warn_) {
      warn_(std::string(name), fmt::format("{} more functions with warnings", warnings - kMaxRecordWarnings));
    }
  }

  ProfileFormat output_;
  size_t max_depth_;
  merge::WarnFn warn_;
  std::vector<std::shared_ptr<NamePool>> pools_;  // front(): where this engine's own inputs go
  sp::SampleProfileMap profiles_;
  sp::ProfileSymbolList symbols_;
  SampleKind kind_;
  bool have_kind_ = false;
};

}  // namespace

Result<std::unique_ptr<merge::MergeEngine>> make_sample_engine(const merge::MergeOptions& options, merge::WarnFn warn) {
  ProfileFormat out = options.output_format == ProfileFormat::Unknown ? ProfileFormat::SampleExtBinary
                                                                      : options.output_format;
  if (family_of(out) != ProfileFamily::Sample) {
    return make_error(ErrorCode::Usage,
                      "output format {} is not available for LLVM sample profiles (use {}, {} or {})",
                      to_string(out), to_string(ProfileFormat::SampleExtBinary),
                      to_string(ProfileFormat::SampleBinary), to_string(ProfileFormat::SampleText));
  }
  return std::unique_ptr<merge::MergeEngine>(std::make_unique<SampleEngine>(out, options.limits.max_stack_depth, std::move(warn)));
}

Result<merge::ProfileSummary> summarize_sample(std::string_view name, std::string_view bytes, size_t top) {
  try {
    PGO_TRY_ASSIGN(LoadedSample in, load(name, bytes, InputLimits{}.max_stack_depth));
    merge::ProfileSummary summary;
    summary.format = format_of(bytes);
    std::vector<merge::HotFunction> hot;
    for (const auto& [key, samples] : in.reader->getProfiles()) {
      ++summary.functions;
      summary.total += samples.getTotalSamples();
      hot.push_back(merge::HotFunction{samples.getContext().toString(), samples.getTotalSamples()});
    }
    keep_hottest(hot, top);
    summary.hottest = std::move(hot);
    return summary;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "{}: summarizing failed: {}", name, e.what());
  }
}

}  // namespace pgopipe::llvm_merge
