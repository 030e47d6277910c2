// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/binaries.hpp"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Object/BuildID.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Error.h>

#include <filesystem>
#include <system_error>

namespace pgopipe::convert {
namespace {

template <typename ELFT>
void read_loads(const llvm::object::ELFObjectFile<ELFT>& obj, std::vector<LoadSegment>& out) {
  auto headers = obj.getELFFile().program_headers();
  if (!headers) {
    llvm::consumeError(headers.takeError());
    return;
  }
  for (const auto& ph : *headers)
    if (ph.p_type == llvm::ELF::PT_LOAD)
      out.push_back({static_cast<uint64_t>(ph.p_offset), static_cast<uint64_t>(ph.p_filesz),
                     static_cast<uint64_t>(ph.p_vaddr)});
}

bool has_debug_info(const llvm::object::ObjectFile& obj) {
  for (const auto& section : obj.sections()) {
    auto name = section.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (*name == ".debug_info" || *name == ".zdebug_info") return section.getSize() > 0;
  }
  return false;
}

bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

}  // namespace

std::optional<uint64_t> Binary::vaddr_of_offset(uint64_t offset) const {
  for (const auto& seg : loads)
    if (offset >= seg.offset && offset < seg.offset + seg.file_size)
      return offset - seg.offset + seg.vaddr;
  return std::nullopt;
}

Result<Binary> open_binary(const std::string& path, bool require_debug_info) {
  auto owning = llvm::object::ObjectFile::createObjectFile(path);
  if (!owning)
    return make_error(ErrorCode::Input, "cannot open binary {}: {}", path,
                      llvm::toString(owning.takeError()));
  const llvm::object::ObjectFile& obj = *owning->getBinary();
  Binary b;
  b.path = path;
  if (const auto* e = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(&obj)) read_loads(*e, b.loads);
  else if (const auto* e32 = llvm::dyn_cast<llvm::object::ELF32LEObjectFile>(&obj)) read_loads(*e32, b.loads);
  else if (const auto* e64b = llvm::dyn_cast<llvm::object::ELF64BEObjectFile>(&obj)) read_loads(*e64b, b.loads);
  else
    return make_error(ErrorCode::Input, "binary {} is not an ELF file", path);
  if (b.loads.empty())
    return make_error(ErrorCode::Input, "binary {} has no loadable segments (PT_LOAD)", path);
  b.build_id = llvm::toHex(llvm::object::getBuildID(&obj), /*LowerCase=*/true);
  b.has_debug_info = has_debug_info(obj);
  if (require_debug_info && !b.has_debug_info)
    return make_error(ErrorCode::Input,
                      "binary {} (build id {}) has no debug info (.debug_info): it is stripped or "
                      "was built without -g; pass the unstripped binary or its .debug file",
                      path, b.build_id.empty() ? "none" : b.build_id);
  return b;
}

Result<std::unique_ptr<BinarySet>> BinarySet::open(const std::vector<std::string>& binaries,
                                                   const std::string& binary_dir) {
  auto set = std::make_unique<BinarySet>();
  for (const auto& path : binaries) {
    PGO_TRY_ASSIGN(Binary b, open_binary(path, /*require_debug_info=*/true));
    set->binaries_.push_back(std::make_unique<Binary>(std::move(b)));
  }
  if (!binary_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(binary_dir, ec))
      return make_error(ErrorCode::Usage, "--binary-dir {} is not a directory", binary_dir);
    set->dir_ = binary_dir;
  }
  return set;
}

Result<const Binary*> BinarySet::find(const perf::Mapping& m) {
  if (!m.build_id.empty()) {
    for (const auto& b : binaries_)
      if (b->build_id == m.build_id) return b.get();
    if (!dir_.empty()) return find_in_dir(m.build_id);
    return static_cast<const Binary*>(nullptr);
  }
  // No build ID recorded: only an explicitly given binary with the same file name matches.
  if (m.file.empty()) return static_cast<const Binary*>(nullptr);
  std::filesystem::path mapped(m.file);
  for (const auto& b : binaries_)
    if (std::filesystem::path(b->path) == mapped) return b.get();
  for (const auto& b : binaries_)
    if (std::filesystem::path(b->path).filename() == mapped.filename()) return b.get();
  return static_cast<const Binary*>(nullptr);
}

Result<const Binary*> BinarySet::find_in_dir(const std::string& id) {
  for (const auto& miss : missing_)
    if (miss == id) return static_cast<const Binary*>(nullptr);
  std::filesystem::path dir(dir_);
  std::vector<std::filesystem::path> candidates;
  if (id.size() > 2) {
    auto sub = dir / ".build-id" / id.substr(0, 2);
    candidates.push_back(sub / (id.substr(2) + ".debug"));
    candidates.push_back(sub / id.substr(2));
  }
  candidates.push_back(dir / (id + ".debug"));
  candidates.push_back(dir / id);
  if (!dir_scanned_) {
    dir_scanned_ = true;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      auto b = open_binary(entry.path().string(), /*require_debug_info=*/false);
      if (b && !b->build_id.empty()) dir_files_.emplace_back(b->build_id, entry.path().string());
    }
  }
  for (const auto& [file_id, path] : dir_files_)
    if (file_id == id) candidates.emplace_back(path);

  std::optional<Error> stripped;
  for (const auto& c : candidates) {
    if (!is_file(c)) continue;
    auto b = open_binary(c.string(), /*require_debug_info=*/false);
    if (!b || b->build_id != id) continue;  // a file under the wrong name is never used
    if (!b->has_debug_info) {
      if (!stripped) stripped = open_binary(c.string(), /*require_debug_info=*/true).error();
      continue;
    }
    binaries_.push_back(std::make_unique<Binary>(std::move(*b)));
    return static_cast<const Binary*>(binaries_.back().get());
  }
  if (stripped) return *stripped;
  missing_.push_back(id);
  return static_cast<const Binary*>(nullptr);
}

}  // namespace pgopipe::convert
