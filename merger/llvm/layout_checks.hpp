// SPDX-License-Identifier: Apache-2.0
// Bounds checks of binary LLVM profiles' headers, run before LLVM's readers see the bytes: those
// readers take the sizes and offsets a header declares on trust, so a truncated or forged
// profile from the store would make them read outside the input or crash.
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace pgopipe::llvm_merge {

// A raw .profraw of the version LLVM 19 reads (10): every section the header declares lies
// inside the input. Indexed .profdata: the header's offsets and its profile summaries lie
// inside the input. Other inputs pass unchecked. Input error naming `name` and the field.
Result<void> check_instr_layout(std::string_view name, std::string_view bytes);

// An extbinary sample profile: every section of its header table lies inside the input. Other
// inputs pass unchecked. Input error naming `name` and the section.
Result<void> check_sample_layout(std::string_view name, std::string_view bytes);

}  // namespace pgopipe::llvm_merge
