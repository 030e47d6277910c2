// SPDX-License-Identifier: Apache-2.0
// The code of one binary as the profile sees it: function address ranges (symbol table) and
// the addresses where the DWARF line table starts a new row. Used to give every line of a
// sampled function an explicit count (zero when no sample landed there): clang's sample
// loader treats a missing line as unknown but a zero line as cold.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "merger/convert/binaries.hpp"

namespace pgopipe::convert {

struct FunctionRange {
  std::string name;  // linkage name from the symbol table
  uint64_t start = 0;
  uint64_t end = 0;
};

class CodeMap {
 public:
  virtual ~CodeMap() = default;
  // Function symbols with a size, in address order.
  [[nodiscard]] virtual const std::vector<FunctionRange>& functions() const = 0;
  // Addresses in [start, end) where a line-table row starts (each distinct source position).
  virtual std::vector<uint64_t> line_rows(uint64_t start, uint64_t end) = 0;
  // The function holding `addr` and its machine code, for x86-64 binaries; nullptr and an
  // empty span otherwise (another architecture, no function symbol, code not in the file).
  virtual std::pair<const FunctionRange*, std::span<const uint8_t>> x86_64_code_at(uint64_t addr) const = 0;
};

// Opens the binary's symbol table and DWARF; nullptr if the file cannot be opened.
std::unique_ptr<CodeMap> make_code_map(const Binary& binary);

}  // namespace pgopipe::convert
