// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the LLVM engines (private to merger/llvm; includes LLVM headers).
#pragma once

#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/SampleProfReader.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "merger/engine.hpp"

namespace pgopipe::llvm_merge {

// Converts a driver weight to LLVM's integer weight; Internal error unless integral and >= 1.
Result<uint64_t> integral_weight(std::string_view name, double weight);

// Detected format of `bytes` (ProfileFormat::Unknown when no magic matches).
ProfileFormat format_of(std::string_view bytes);

// A non-owning MemoryBuffer over `bytes` named `name`; a copy ending in a NUL when `copy` (LLVM's
// text readers and its sample-profile name tables need one after the last byte) or when `bytes`
// is not 8-byte aligned (binary readers read 64-bit fields in place).
std::unique_ptr<llvm::MemoryBuffer> make_buffer(std::string_view name, std::string_view bytes,
                                                bool copy);

// An LLVM error as an Input error "<name>: <what>: <cause>", on one line.
Error llvm_input_error(std::string_view name, std::string_view what, llvm::Error err);

// A reader of the instrumented profile `bytes` (raw, indexed or text) named `name`, once the
// input passed what every instrumented input passes first: not empty, not another family's
// profile, a layout LLVM can read safely (layout_checks.hpp). Otherwise an Input error naming
// `name`. `warn` gets the reader's warnings; `bytes` must outlive the reader.
Result<std::unique_ptr<llvm::InstrProfReader>> open_instr_reader(std::string_view name, std::string_view bytes,
                                                                 std::function<void(llvm::Error)> warn);

// Opens a temp file next to `out`, lets `fill` write it through a raw_fd_ostream, and renames
// it over `out` only if `fill` and the stream succeeded; otherwise nothing is left behind.
Result<void> write_atomically(const std::filesystem::path& out,
                              const std::function<Result<void>(llvm::raw_fd_ostream&)>& fill);

// Sorts `hot` by count (descending, then name) and keeps at most `top` entries.
void keep_hottest(std::vector<merge::HotFunction>& hot, size_t top);

// Guards LLVM's process-wide sample-profile kind flags (FunctionSamples::ProfileIsCS, UseMD5,
// ...): every sample profile read or write in this process holds it.
std::mutex& sample_globals_mutex();

// Collects an LLVMContext's diagnostics into `*sink` ("; "-separated) instead of LLVM's
// default handler, which prints them and exits on errors.
struct CollectingHandler final : llvm::DiagnosticHandler {
  explicit CollectingHandler(std::string* sink) : sink_(sink) {}
  bool handleDiagnostics(const llvm::DiagnosticInfo& info) override;
  std::string* sink_;
};

// Reads an LLVM sample profile (text, binary or extbinary; every discriminator bit kept, as
// llvm-profdata merge does) with `context`, which must outlive the reader. An empty, non-sample
// or unreadable input is an Input error naming `name` with LLVM's diagnostics. The caller holds
// sample_globals_mutex(): reading resets and then sets FunctionSamples' process-wide flags.
// A function whose inlined call sites nest deeper than `max_depth` levels is an Input error
// naming the limit, so every later (recursive) walk over the inline trees stays bounded.
Result<std::unique_ptr<llvm::sampleprof::SampleProfileReader>> read_sample_profile(
    std::string_view name, std::string_view bytes, llvm::LLVMContext& context,
    size_t max_depth = InputLimits{}.max_stack_depth);

// The number of levels of `root`'s inline tree (1 = no inlined call sites), walked iteratively.
size_t inline_depth(const llvm::sampleprof::FunctionSamples& root);

}  // namespace pgopipe::llvm_merge
