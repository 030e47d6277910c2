// SPDX-License-Identifier: Apache-2.0
#include "merger/convert/code_map.hpp"

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFCompileUnit.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Error.h>

#include <algorithm>

namespace pgopipe::convert {
namespace {

class DwarfCodeMap final : public CodeMap {
 public:
  explicit DwarfCodeMap(llvm::object::OwningBinary<llvm::object::ObjectFile> obj)
      : obj_(std::move(obj)), dwarf_(llvm::DWARFContext::create(*obj_.getBinary())) {
    for (const auto& sym : obj_.getBinary()->symbols()) {
      auto type = sym.getType();
      auto name = sym.getName();
      auto addr = sym.getAddress();
      if (!type || !name || !addr) {
        if (!type) llvm::consumeError(type.takeError());
        if (!name) llvm::consumeError(name.takeError());
        if (!addr) llvm::consumeError(addr.takeError());
        continue;
      }
      uint64_t size = llvm::object::ELFSymbolRef(sym).getSize();
      if (*type != llvm::object::SymbolRef::ST_Function || size == 0) continue;
      functions_.push_back({name->str(), *addr, *addr + size});
    }
    std::sort(functions_.begin(), functions_.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    if (obj_.getBinary()->getArch() != llvm::Triple::x86_64) return;
    for (const auto& section : obj_.getBinary()->sections()) {
      auto contents = section.getContents();
      if (!contents) {
        llvm::consumeError(contents.takeError());
        continue;
      }
      if (section.isText() && !section.isVirtual()) code_.push_back({section.getAddress(), *contents});
    }
  }

  [[nodiscard]] const std::vector<FunctionRange>& functions() const override { return functions_; }

  std::vector<uint64_t> line_rows(uint64_t start, uint64_t end) override {
    std::vector<uint64_t> out;
    auto* cu = dwarf_->getCompileUnitForCodeAddress(start);
    if (!cu) return out;
    const auto* table = dwarf_->getLineTableForUnit(cu);
    if (!table) return out;
    std::vector<uint32_t> rows;
    if (!table->lookupAddressRange({start, llvm::object::SectionedAddress::UndefSection},
                                   end - start, rows))
      return out;
    for (uint32_t r : rows) {
      const auto& row = table->Rows[r];
      if (!row.EndSequence && row.Address.Address >= start && row.Address.Address < end)
        out.push_back(row.Address.Address);
    }
    return out;
  }

  std::pair<const FunctionRange*, std::span<const uint8_t>> x86_64_code_at(uint64_t addr) const override {
    auto fn = std::upper_bound(functions_.begin(), functions_.end(), addr,
                               [](uint64_t a, const FunctionRange& f) { return a < f.start; });
    if (fn == functions_.begin() || addr >= std::prev(fn)->end) return {nullptr, {}};
    const FunctionRange& f = *std::prev(fn);
    for (const auto& [start, bytes] : code_) {
      if (f.start >= start && f.end <= start + bytes.size())
        return {&f, {reinterpret_cast<const uint8_t*>(bytes.data()) + (f.start - start), f.end - f.start}};
    }
    return {nullptr, {}};
  }

 private:
  llvm::object::OwningBinary<llvm::object::ObjectFile> obj_;
  std::unique_ptr<llvm::DWARFContext> dwarf_;
  std::vector<FunctionRange> functions_;
  std::vector<std::pair<uint64_t, llvm::StringRef>> code_;  // x86-64 text sections: address, bytes
};

}  // namespace

std::unique_ptr<CodeMap> make_code_map(const Binary& binary) {
  auto obj = llvm::object::ObjectFile::createObjectFile(binary.path);
  if (!obj) {
    llvm::consumeError(obj.takeError());
    return nullptr;
  }
  if (!llvm::isa<llvm::object::ELFObjectFileBase>(obj->getBinary())) return nullptr;
  return std::make_unique<DwarfCodeMap>(std::move(*obj));
}

}  // namespace pgopipe::convert
