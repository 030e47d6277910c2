// SPDX-License-Identifier: Apache-2.0
// Address -> inline stack of (function linkage name, line offset, discriminator), from the
// binary's DWARF, cached per address: symbolization is the converter's hot path.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "merger/convert/binaries.hpp"

namespace pgopipe::convert {

class SourceDiff;

// One source-level frame. `function` is the canonical linkage name (suffixes such as
// .llvm.N, .part.N, .cold folded), owned by the symbolizer and valid while it lives.
struct SourceFrame {
  std::string_view function;
  uint32_t line_offset = 0;    // line - function start line, as sample profiles key lines
  uint32_t discriminator = 0;  // base discriminator
  bool has_line = true;        // false for compiler-generated code (DWARF line 0)
};

class InlineSymbolizer {
 public:
  virtual ~InlineSymbolizer() = default;
  // The inline stack at `vaddr` of `binary`, outermost function first; empty if the address
  // has no debug info (counted in unsymbolized()). Valid until the next call.
  virtual std::span<const SourceFrame> frames(const Binary& binary, uint64_t vaddr) = 0;
  // Keeps `s` alive as long as the symbolizer and returns the stored copy.
  virtual std::string_view intern(std::string_view s) = 0;
  // Distinct addresses that produced no frames.
  [[nodiscard]] virtual uint64_t unsymbolized() const = 0;
  // First symbolizer error message seen (empty if none).
  [[nodiscard]] virtual const std::string& first_error() const = 0;
  // True when `vaddr` has no frames because one of them sits on a line the source diff
  // removed or rewrote (only after frames() was asked for it).
  [[nodiscard]] virtual bool dropped_by_diff(const Binary& binary, uint64_t vaddr) const = 0;
};

// With `diff`, frames speak of the source being built: line offsets are computed from the
// lines' and the functions' new places, and an address any of whose frames sits on a line the
// diff removed or rewrote has no frames (its samples are dropped, not applied elsewhere).
// `diff` must outlive the symbolizer.
std::unique_ptr<InlineSymbolizer> make_inline_symbolizer(const SourceDiff* diff = nullptr);

// Folds the suffixes clang's sample loader folds (and .cold parts) off a function name.
std::string_view canonical_function_name(std::string_view name);

}  // namespace pgopipe::convert
