// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/symbolizer.hpp"

#include "merger/convert/source_diff.hpp"

#include <llvm/DebugInfo/DIContext.h>
#include <llvm/DebugInfo/Symbolize/Symbolize.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/ProfileData/SampleProf.h>
#include <llvm/Support/Allocator.h>
#include <llvm/Support/StringSaver.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pgopipe::convert {

std::string_view canonical_function_name(std::string_view name) {
  llvm::StringRef n(name.data(), name.size());
  // Hot/cold splitting names the cold part "f.cold" or "f.cold.N" (outermost suffix): its
  // samples belong to f. Then fold what clang's sample loader folds (.llvm.N, .part.N).
  size_t cold = n.rfind(".cold");
  if (cold != llvm::StringRef::npos && cold > 0) {
    llvm::StringRef rest = n.substr(cold + 5);
    if (rest.empty() || (rest[0] == '.' && rest.size() > 1 &&
                         rest.substr(1).find_first_not_of("0123456789") == llvm::StringRef::npos))
      n = n.substr(0, cold);
  }
  n = llvm::sampleprof::FunctionSamples::getCanonicalFnName(n, "selected");
  return {n.data(), n.size()};
}

namespace {

struct Key {
  const Binary* binary;
  uint64_t vaddr;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    return std::hash<uint64_t>()(k.vaddr * 0x9E3779B97F4A7C15ULL ^
                                 reinterpret_cast<uintptr_t>(k.binary));
  }
};
struct Slice {
  uint32_t first = 0;
  uint32_t count = 0;
};

class LlvmInlineSymbolizer final : public InlineSymbolizer {
 public:
  explicit LlvmInlineSymbolizer(const SourceDiff* diff) : diff_(diff), saver_(alloc_), symbolizer_(options()) {}

  std::span<const SourceFrame> frames(const Binary& binary, uint64_t vaddr) override {
    auto [it, inserted] = cache_.try_emplace(Key{&binary, vaddr});
    if (inserted) it->second = lookup(binary, vaddr);
    return {pool_.data() + it->second.first, it->second.count};
  }

  std::string_view intern(std::string_view s) override {
    llvm::StringRef r = saver_.save(llvm::StringRef(s.data(), s.size()));
    return {r.data(), r.size()};
  }
  [[nodiscard]] uint64_t unsymbolized() const override { return unsymbolized_; }
  [[nodiscard]] const std::string& first_error() const override { return first_error_; }
  [[nodiscard]] bool dropped_by_diff(const Binary& binary, uint64_t vaddr) const override {
    return dropped_.contains(Key{&binary, vaddr});
  }

 private:
  static llvm::symbolize::LLVMSymbolizer::Options options() {
    llvm::symbolize::LLVMSymbolizer::Options o;
    o.PrintFunctions = llvm::DILineInfoSpecifier::FunctionNameKind::LinkageName;
    o.UseSymbolTable = true;
    o.Demangle = false;
    o.RelativeAddresses = false;
    return o;
  }

  Slice lookup(const Binary& binary, uint64_t vaddr) {
    auto info = symbolizer_.symbolizeInlinedCode(
        binary.path, {vaddr, llvm::object::SectionedAddress::UndefSection});
    Slice slice{static_cast<uint32_t>(pool_.size()), 0};
    if (!info) {
      std::string msg = llvm::toString(info.takeError());
      if (first_error_.empty()) first_error_ = binary.path + ": " + msg;
      ++unsymbolized_;
      return slice;
    }
    // DIInliningInfo lists the innermost frame first; the profile nests outermost first.
    uint32_t n = info->getNumberOfFrames();
    for (uint32_t i = n; i-- > 0;) {
      const llvm::DILineInfo& f = info->getFrame(i);
      if (f.FunctionName == llvm::DILineInfo::BadString || f.FunctionName.empty()) {
        if (i == n - 1) break;  // no outer function: the address is unusable
        continue;
      }
      SourceFrame sf;
      sf.function = intern(canonical_function_name(f.FunctionName));
      sf.has_line = f.Line != 0;
      uint32_t line = f.Line, start = f.StartLine;
      if (diff_ && sf.has_line) {
        auto new_line = diff_->new_line(f.FileName, f.Line);
        auto new_start = diff_->new_line(f.StartFileName.empty() ? f.FileName : f.StartFileName, f.StartLine);
        if (!new_line || !new_start) {
          pool_.resize(slice.first);
          dropped_.insert(Key{&binary, vaddr});
          return slice;
        }
        line = *new_line;
        start = *new_start;
      }
      sf.line_offset = sf.has_line ? (line - start) & 0xffff : 0;
      sf.discriminator = llvm::DILocation::getBaseDiscriminatorFromDiscriminator(
          f.Discriminator, /*IsFSDiscriminator=*/false);
      pool_.push_back(sf);
    }
    slice.count = static_cast<uint32_t>(pool_.size()) - slice.first;
    if (slice.count == 0) ++unsymbolized_;
    return slice;
  }

  const SourceDiff* diff_;
  llvm::BumpPtrAllocator alloc_;
  llvm::UniqueStringSaver saver_;
  llvm::symbolize::LLVMSymbolizer symbolizer_;
  std::unordered_map<Key, Slice, KeyHash> cache_;
  std::vector<SourceFrame> pool_;
  uint64_t unsymbolized_ = 0;
  std::unordered_set<Key, KeyHash> dropped_;  // addresses on lines the diff changed
  std::string first_error_;
};

}  // namespace

std::unique_ptr<InlineSymbolizer> make_inline_symbolizer(const SourceDiff* diff) {
  return std::make_unique<LlvmInlineSymbolizer>(diff);
}

}  // namespace pgopipe::convert
