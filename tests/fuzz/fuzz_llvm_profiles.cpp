// SPDX-License-Identifier: Apache-2.0
// `pgopipe merge`, `show` and `compact` read LLVM profiles from the store, which anyone who can
// upload may have written. pgopipe checks the layout binary profiles declare before LLVM's
// readers trust it (layout_checks.hpp); this harness holds it to that: raw and indexed
// instrumented profiles go through the reading that merges and summaries share (load() in
// instr_engine.cpp), and whatever they hold, it returns a value or an error that says something.
//
// Not fuzzed here: LLVM's readers of binary sample profiles and of text profiles (they reserve
// whatever count a table or line declares before reading it, which pgopipe reports as an error,
// std::bad_alloc, but AddressSanitizer as a crash; their layout check is fuzzed), and LLVM's
// profile writer, which a merge adds the records to (it crashed in this sanitizer build on
// records that the release build and llvm-profdata-19 merge with a warning: not understood).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/formats/format.hpp"
#include "merger/llvm/instr_engine.hpp"
#include "merger/llvm/layout_checks.hpp"

namespace {

template <typename R>
void must_say_something(const R& result) {
  if (!result && result.error().message.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto format = pgopipe::detect_format(std::span(data, size));
  if (format != pgopipe::ProfileFormat::LlvmRaw && format != pgopipe::ProfileFormat::LlvmIndexed) {
    must_say_something(pgopipe::llvm_merge::check_sample_layout("fuzz.afdo", bytes));
    return 0;
  }
  must_say_something(pgopipe::llvm_merge::summarize_instr("fuzz.profdata", bytes, 5));
  must_say_something(pgopipe::llvm_merge::read_instr_functions("fuzz.profdata", bytes));
  return 0;
}
