// SPDX-License-Identifier: Apache-2.0
// Instrumented profile vs binary. clang keeps a function's counters only when the profile's
// hash for it equals the hash of the code it compiles; an instrumented build of the same
// source carries exactly those hashes in its __llvm_prf_data records (keyed by the MD5 of
// the function's PGO name), so comparing against one predicts clang's verdict per function.
// Any other binary can only be matched by name.
#include <llvm/Object/ObjectFile.h>
#include <llvm/ProfileData/InstrProf.h>

#include <cstddef>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "merger/convert/binaries.hpp"
#include "merger/convert/code_map.hpp"
#include "merger/convert/symbolizer.hpp"
#include "merger/llvm/instr_engine.hpp"
#include "merger/match/matchers.hpp"

namespace pgopipe::match {
namespace {

using ProfileData = llvm::RawInstrProf::ProfileData<uint64_t>;

// MD5 of the PGO name -> the function hashes an instrumented binary carries for it (several
// when one name was built more than once, e.g. a header function with different code).
using HashIndex = std::unordered_multimap<uint64_t, uint64_t>;

// The binary's __llvm_prf_data records; nullopt when it has none (not instrumented).
Result<std::optional<HashIndex>> instrumented_hashes(const std::string& path) {
  auto file = llvm::object::ObjectFile::createObjectFile(path);
  if (!file) return make_error(ErrorCode::Input, "{}: not an object file: {}", path, llvm::toString(file.takeError()));
  for (const auto& section : file->getBinary()->sections()) {
    auto name = section.getName();
    if (!name || *name != llvm::getInstrProfSectionName(llvm::IPSK_data, llvm::Triple::ELF, false)) {
      if (!name) llvm::consumeError(name.takeError());
      continue;
    }
    auto contents = section.getContents();
    if (!contents) return make_error(ErrorCode::Input, "{}: {}", path, llvm::toString(contents.takeError()));
    if (contents->size() % sizeof(ProfileData) != 0) {
      return make_error(ErrorCode::Input, "{}: __llvm_prf_data is {} bytes, not whole LLVM 19 records", path,
                        contents->size());
    }
    HashIndex index;
    for (size_t at = 0; at < contents->size(); at += sizeof(ProfileData)) {
      uint64_t name_ref = 0, hash = 0;
      std::memcpy(&name_ref, contents->data() + at + offsetof(ProfileData, NameRef), sizeof name_ref);
      std::memcpy(&hash, contents->data() + at + offsetof(ProfileData, FuncHash), sizeof hash);
      index.emplace(name_ref, hash);
    }
    return std::optional<HashIndex>(std::move(index));
  }
  return std::optional<HashIndex>();
}

// The function symbols of a binary that is not instrumented.
Result<std::unordered_set<std::string>> symbol_names(const std::string& path) {
  PGO_TRY_ASSIGN(convert::Binary binary, convert::open_binary(path, /*require_debug_info=*/false));
  auto map = convert::make_code_map(binary);
  if (!map) return make_error(ErrorCode::Input, "{}: cannot read its symbol table", path);
  std::unordered_set<std::string> names;
  for (const auto& f : map->functions()) names.emplace(convert::canonical_function_name(f.name));
  return names;
}

// A local function's PGO name is "<file>;<symbol>"; its symbol is the part after the ';'.
std::string_view symbol_of(std::string_view pgo_name) {
  auto semi = pgo_name.rfind(';');
  return semi == std::string_view::npos ? pgo_name : pgo_name.substr(semi + 1);
}

}  // namespace

Result<ProfileMatch> match_instr(std::string_view name, std::string_view bytes, const std::string& binary) {
  PGO_TRY_ASSIGN(auto functions, llvm_merge::read_instr_functions(name, bytes));
  PGO_TRY_ASSIGN(auto hashes, instrumented_hashes(binary));
  ProfileMatch m;
  if (hashes) {
    m.method = "function hashes against the instrumented binary";
    for (auto& f : functions) {
      auto [first, last] = hashes->equal_range(llvm::IndexedInstrProf::ComputeHash(f.name));
      FunctionMatch fm{std::move(f.name), f.count, FunctionState::Missing, "not in the binary"};
      for (auto it = first; it != last && fm.state != FunctionState::Matched; ++it) {
        fm.state = it->second == f.hash ? FunctionState::Matched : FunctionState::Changed;
        fm.detail = fmt::format("hash {:#x} in the profile, {:#x} in the binary", f.hash, it->second);
      }
      tally(m, std::move(fm));
    }
  } else {
    m.method = "names only (the binary is not instrumented: match against a -fprofile-generate build "
               "for clang's hash check)";
    PGO_TRY_ASSIGN(auto names, symbol_names(binary));
    for (auto& f : functions) {
      bool found = names.contains(std::string(symbol_of(f.name)));
      tally(m, FunctionMatch{std::move(f.name), f.count, found ? FunctionState::Matched : FunctionState::Missing,
                             found ? "" : "no function of that name in the binary"});
    }
  }
  finish(m);
  return m;
}

}  // namespace pgopipe::match
