// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/lost_callers.hpp"

#include <llvm/Demangle/Demangle.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "merger/convert/binaries.hpp"
#include "merger/convert/code_map.hpp"

namespace pgopipe::convert {
namespace {

constexpr uint8_t kPushRbp = 0x55, kPopRbp = 0x5d, kRet = 0xc3, kJmp32 = 0xe9, kJmp8 = 0xeb, kCall32 = 0xe8;
constexpr uint64_t kCall32Size = 5;
constexpr uint8_t kEndbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
constexpr uint8_t kMovRbpRsp[] = {0x48, 0x89, 0xe5};

bool starts_with(std::span<const uint8_t> code, uint64_t at, std::span<const uint8_t> bytes) {
  return at + bytes.size() <= code.size() && std::equal(bytes.begin(), bytes.end(), code.begin() + at);
}

// One demangler result, freed on every path.
std::string take(char* text) {
  std::string out = text ? text : "";
  std::free(text);  // NOLINT(cppcoreguidelines-no-malloc): the demangler's buffer
  return out;
}

}  // namespace

bool skips_caller(std::span<const uint8_t> code, uint64_t offset) {
  if (offset >= code.size()) return false;
  const uint64_t push = starts_with(code, 0, kEndbr64) ? sizeof kEndbr64 : 0;
  if (offset <= push) return true;  // the entry: nothing of the frame is set up yet
  if (code[push] == kPushRbp && offset == push + 1 && starts_with(code, offset, kMovRbpRsp)) return true;
  if (code[offset] == kRet) return true;  // the frame pointer is the caller's again
  // A tail call right after the frame pointer was restored.
  return code[offset - 1] == kPopRbp && (code[offset] == kJmp32 || code[offset] == kJmp8);
}

bool caller_skipped(const CodeMap& leaf_map, uint64_t leaf, const CodeMap* caller_map, uint64_t return_address) {
  auto [fn, code] = leaf_map.x86_64_code_at(leaf);
  if (!fn || !skips_caller(code, leaf - fn->start)) return false;
  if (!caller_map || return_address < kCall32Size) return true;
  auto [caller, caller_code] = caller_map->x86_64_code_at(return_address - 1);
  const uint64_t call = return_address - kCall32Size;
  if (!caller || call < caller->start || caller_code[call - caller->start] != kCall32) return true;
  int32_t displacement = 0;
  std::memcpy(&displacement, &caller_code[call - caller->start + 1], sizeof displacement);
  return &leaf_map != caller_map || return_address + static_cast<int64_t>(displacement) != fn->start;
}

std::string method_signature(std::string_view name) {
  std::string mangled(name);
  llvm::ItaniumPartialDemangler d;
  if (d.partialDemangle(mangled.c_str()) || !d.isFunction() || d.isCtorOrDtor()) return mangled;
  size_t n = 0;
  std::string base = take(d.getFunctionBaseName(nullptr, &n));
  std::string params = take(d.getFunctionParameters(nullptr, &n));
  if (base.empty()) return mangled;
  return base + params;
}

void LostCallers::note_target(Site site, std::string_view callee, uint64_t count) {
  targets_[site][callee] += count;
}

void LostCallers::note_nested(Site outer, Site inner) { nested_[outer].insert(inner); }

void LostCallers::note_lost(std::string_view callee, Site grandparent, uint64_t count) {
  lost_[{callee, grandparent}] += count;
}

uint64_t LostCallers::matching_samples(Site site, std::string_view callee, const std::string& signature) {
  auto it = targets_.find(site);
  if (it == targets_.end()) return 0;
  uint64_t n = 0;
  for (const auto& [target, count] : it->second) {
    auto sig = signatures_.find(target);
    if (sig == signatures_.end()) sig = signatures_.emplace(target, method_signature(target)).first;
    if (target == callee || sig->second == signature) n += count;
  }
  return n;
}

std::vector<LostCallers::Assignment> LostCallers::resolve() {
  std::vector<Assignment> out;
  for (const auto& [key, count] : lost_) {
    const auto& [callee, grandparent] = key;
    const std::string signature = method_signature(callee);
    struct Candidate {
      Site site;
      uint64_t weight = 0;
    };
    std::vector<Candidate> candidates;
    uint64_t total = 0;
    if (auto inner = nested_.find(grandparent); inner != nested_.end()) {
      for (const Site& site : inner->second) {
        if (uint64_t w = matching_samples(site, callee, signature)) {
          candidates.push_back({site, w});
          total += w;
        }
      }
    }
    if (candidates.empty()) {
      out.push_back({grandparent, grandparent, callee, count, false});
      continue;
    }
    // Heaviest site first (ties: by binary path, then address); what rounding down leaves
    // goes one sample at a time to the heaviest sites, so the shares add up to `count`.
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.weight != b.weight) return a.weight > b.weight;
      if (a.site.binary != b.site.binary) return a.site.binary->path < b.site.binary->path;
      return a.site.vaddr < b.site.vaddr;
    });
    uint64_t given = 0;
    std::vector<uint64_t> shares;
    for (const auto& c : candidates) {
      const long double share = static_cast<long double>(count) * c.weight / total;
      given += shares.emplace_back(static_cast<uint64_t>(share));
    }
    for (size_t i = 0; given < count; i = (i + 1) % shares.size(), ++given) ++shares[i];
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (shares[i]) out.push_back({candidates[i].site, grandparent, callee, shares[i], true});
    }
  }
  return out;
}

}  // namespace pgopipe::convert
