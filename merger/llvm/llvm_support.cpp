// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/llvm_support.hpp"

#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <system_error>

#include "core/fs.hpp"
#include "merger/llvm/layout_checks.hpp"

namespace pgopipe::llvm_merge {

Result<uint64_t> integral_weight(std::string_view name, double weight) {
  if (!std::isfinite(weight) || weight < 1 || weight != std::floor(weight) || weight > 1e18) {
    return make_error(ErrorCode::Internal,
                      "{}: weight {} is not an integer >= 1 (LLVM profiles need integral weights)",
                      name, weight);
  }
  return static_cast<uint64_t>(weight);
}

ProfileFormat format_of(std::string_view bytes) {
  return detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::unique_ptr<llvm::MemoryBuffer> make_buffer(std::string_view name, std::string_view bytes,
                                                bool copy) {
  llvm::StringRef data(bytes.data(), bytes.size());
  llvm::StringRef id(name.data(), name.size());
  if (copy || reinterpret_cast<uintptr_t>(bytes.data()) % 8 != 0) {
    return llvm::MemoryBuffer::getMemBufferCopy(data, id);
  }
  return llvm::MemoryBuffer::getMemBuffer(data, id, /*RequiresNullTerminator=*/false);
}

Error llvm_input_error(std::string_view name, std::string_view what, llvm::Error err) {
  std::string cause = llvm::toString(std::move(err));
  std::replace(cause.begin(), cause.end(), '\n', ' ');  // one message, one line
  return make_error(ErrorCode::Input, "{}: {}: {}", name, what, cause);
}

Result<std::unique_ptr<llvm::InstrProfReader>> open_instr_reader(std::string_view name, std::string_view bytes,
                                                                 std::function<void(llvm::Error)> warn) {
  if (bytes.empty()) {
    return make_error(ErrorCode::Input, "{}: empty file (0 bytes), not an LLVM instrumented profile",
                      name);
  }
  ProfileFormat format = format_of(bytes);
  if (format != ProfileFormat::Unknown && family_of(format) != ProfileFamily::Instr) {
    return make_error(ErrorCode::Input,
                      "{}: is a {} profile, not an LLVM instrumented profile (.profraw/.profdata)",
                      name, to_string(format));
  }
  PGO_TRY(check_instr_layout(name, bytes));
  bool binary = format == ProfileFormat::LlvmRaw || format == ProfileFormat::LlvmIndexed;
  auto reader = llvm::InstrProfReader::create(make_buffer(name, bytes, !binary), nullptr, std::move(warn));
  if (!reader) return llvm_input_error(name, "not a readable LLVM instrumented profile", reader.takeError());
  return std::move(*reader);
}

Result<void> write_atomically(const std::filesystem::path& out,
                              const std::function<Result<void>(llvm::raw_fd_ostream&)>& fill) {
  // AtomicFile owns the temp file's lifetime (removed unless committed); LLVM writes the same
  // inode through its own descriptor (its writers seek back to patch headers), and commit()
  // fsyncs and renames it into place.
  PGO_TRY_ASSIGN(AtomicFile file, AtomicFile::create(out));
  std::error_code ec;
  llvm::raw_fd_ostream os(file.temp_path().string(), ec, llvm::sys::fs::OF_None);
  if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", file.temp_path().string(), ec.message());
  Result<void> filled = fill(os);
  os.close();
  // Always clear the stream's error: a raw_fd_ostream destroyed with one aborts the process.
  std::string stream_error = os.has_error() ? os.error().message() : "";
  os.clear_error();
  if (!filled) return filled;
  if (!stream_error.empty()) {
    return make_error(ErrorCode::Io, "cannot write {}: {}", out.string(), stream_error);
  }
  return file.commit();
}

void keep_hottest(std::vector<merge::HotFunction>& hot, size_t top) {
  auto hotter = [](const merge::HotFunction& a, const merge::HotFunction& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  };
  if (hot.size() > top) {
    std::partial_sort(hot.begin(), hot.begin() + static_cast<std::ptrdiff_t>(top), hot.end(), hotter);
    hot.resize(top);
  } else {
    std::sort(hot.begin(), hot.end(), hotter);
  }
}

std::mutex& sample_globals_mutex() {
  static std::mutex mutex;
  return mutex;
}

bool CollectingHandler::handleDiagnostics(const llvm::DiagnosticInfo& info) {
  llvm::raw_string_ostream os(*sink_);
  if (!sink_->empty()) os << "; ";
  llvm::DiagnosticPrinterRawOStream printer(os);
  info.print(printer);
  return true;
}

size_t inline_depth(const llvm::sampleprof::FunctionSamples& root) {
  std::vector<std::pair<const llvm::sampleprof::FunctionSamples*, size_t>> todo{{&root, 1}};
  size_t deepest = 0;
  while (!todo.empty()) {
    auto [samples, depth] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, depth);
    for (const auto& [loc, callees] : samples->getCallsiteSamples()) {
      for (const auto& [callee, inlined] : callees) todo.emplace_back(&inlined, depth + 1);
    }
  }
  return deepest;
}

Result<std::unique_ptr<llvm::sampleprof::SampleProfileReader>> read_sample_profile(
    std::string_view name, std::string_view bytes, llvm::LLVMContext& context, size_t max_depth) {
  namespace sp = llvm::sampleprof;
  if (bytes.empty()) {
    return make_error(ErrorCode::Input, "{}: empty file (0 bytes), not an LLVM sample profile", name);
  }
  ProfileFormat format = format_of(bytes);
  if (format != ProfileFormat::Unknown && family_of(format) != ProfileFamily::Sample) {
    return make_error(ErrorCode::Input, "{}: is a {} profile, not an LLVM sample profile", name,
                      to_string(format));
  }
  PGO_TRY(check_sample_layout(name, bytes));
  std::string diagnostics;
  context.setDiagnosticHandler(std::make_unique<CollectingHandler>(&diagnostics));
  auto fail = [&](const std::error_code& ec) {
    context.setDiagnosticHandler(nullptr);
    return make_error(ErrorCode::Input, "{}: not a readable LLVM sample profile: {}{}", name,
                      ec.message(), diagnostics.empty() ? "" : " (" + diagnostics + ")");
  };
  // Always a copy: the binary readers take names with strlen, so a name table without a NUL
  // would be read past the input's end; the copy ends in one.
  std::unique_ptr<llvm::MemoryBuffer> buffer = make_buffer(name, bytes, /*copy=*/true);
  sp::FunctionSamples::ProfileIsProbeBased = false;
  sp::FunctionSamples::ProfileIsCS = false;
  sp::FunctionSamples::ProfileIsPreInlined = false;
  sp::FunctionSamples::ProfileIsFS = false;
  sp::FunctionSamples::UseMD5 = false;
  auto reader = sp::SampleProfileReader::create(buffer, context, *llvm::vfs::getRealFileSystem(),
                                                sp::FSDiscriminatorPass::PassLast);
  if (!reader) return fail(reader.getError());
  if (std::error_code ec = (*reader)->read()) return fail(ec);
  context.setDiagnosticHandler(nullptr);  // `diagnostics` ends here
  // Every later walk over the inline trees (merge, stacks, conversion) recurses per level.
  for (const auto& [key, samples] : (*reader)->getProfiles()) {
    if (size_t depth = inline_depth(samples); depth > max_depth) {
      return make_error(ErrorCode::Input, "{}: {} has inlined call sites {} levels deep, more than {} "
                        "(limit limits.max_stack_depth)", name, samples.getContext().toString(), depth,
                        max_depth);
    }
  }
  return std::move(*reader);
}

}  // namespace pgopipe::llvm_merge
