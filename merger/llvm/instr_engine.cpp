// SPDX-License-Identifier: Apache-2.0
#include "merger/llvm/instr_engine.hpp"

#include <llvm/Object/BuildID.h>
#include <llvm/ProfileData/InstrProf.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/Support/Allocator.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/StringSaver.h>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "merger/llvm/llvm_support.hpp"

namespace pgopipe::llvm_merge {
namespace {


// llvm-profdata's defaults for temporal profile traces, so both tools keep the same traces.
constexpr uint64_t kTemporalReservoirSize = 100;
constexpr uint64_t kMaxTemporalTraceLength = 10000;
// Per-record warnings forwarded per input before the rest is only counted.
constexpr size_t kMaxRecordWarnings = 5;

std::unique_ptr<llvm::InstrProfWriter> new_writer() {
  return std::make_unique<llvm::InstrProfWriter>(/*Sparse=*/false, kTemporalReservoirSize,
                                                 kMaxTemporalTraceLength);
}

// Everything one input contributes, read completely before any engine state changes.
struct LoadedInput {
  std::unique_ptr<llvm::InstrProfReader> reader;
  // The records' names: a raw file of concatenated profiles frees each one's names when the
  // reader moves on to the next, so the names are copied here as they are read.
  std::unique_ptr<llvm::BumpPtrAllocator> names = std::make_unique<llvm::BumpPtrAllocator>();
  std::vector<llvm::NamedInstrProfRecord> records;
  std::vector<llvm::object::BuildID> binary_ids;
  llvm::InstrProfKind kind = llvm::InstrProfKind::Unknown;
  std::vector<std::string> reader_warnings;
};

// `scratch` lends its capacity to the record vector (engines reuse it across inputs).
Result<LoadedInput> load(std::string_view name, std::string_view bytes,
                         std::vector<llvm::NamedInstrProfRecord> scratch = {}) {
  LoadedInput in;
  scratch.clear();
  in.records = std::move(scratch);
  auto warn = [&in](llvm::Error e) { in.reader_warnings.push_back(llvm::toString(std::move(e))); };
  PGO_TRY_ASSIGN(in.reader, open_instr_reader(name, bytes, warn));
  llvm::StringSaver names(*in.names);
  for (auto& record : *in.reader) {
    record.Name = names.save(record.Name);
    in.records.push_back(std::move(record));
  }
  if (llvm::Error e = in.reader->getError()) {
    return llvm_input_error(name, "corrupt LLVM instrumented profile", std::move(e));
  }
  // Every function has an entry counter; LLVM's writer reads it without looking.
  for (const auto& record : in.records) {
    if (record.Counts.empty())
      return make_error(ErrorCode::Input, "{}: corrupt LLVM instrumented profile: function {} (hash {:#x}) has no "
                        "counters", name, record.Name.str(), record.Hash);
  }
  if (llvm::Error e = in.reader->readBinaryIds(in.binary_ids)) {
    return llvm_input_error(name, "cannot read binary IDs", std::move(e));
  }
  in.kind = in.reader->getProfileKind();
  // LLVM's raw reader leaves front-end profiles' kind Unknown, which would let them merge
  // silently with IR-level ones (llvm-profdata does); mark them so the mix is refused.
  if (!in.reader->isIRLevelProfile()) in.kind |= llvm::InstrProfKind::FrontendInstrumentation;
  return in;
}

std::string hex(llvm::ArrayRef<uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

class InstrEngine final : public merge::MergeEngine {
 public:
  explicit InstrEngine(merge::WarnFn warn) : warn_(std::move(warn)), writer_(new_writer()) {}

  Result<void> add(std::string_view name, std::string_view bytes, double weight) override {
    PGO_TRY_ASSIGN(uint64_t w, integral_weight(name, weight));
    try {
      PGO_TRY_ASSIGN(LoadedInput in, load(name, bytes, std::move(scratch_)));
      if (llvm::Error e = writer_->mergeProfileKind(in.kind)) {
        llvm::consumeError(std::move(e));
        return make_error(ErrorCode::Input, "{}: {}", name, kind_conflict(in.kind));
      }
      // From here on nothing fails: the input is merged completely.
      for (const auto& w_msg : in.reader_warnings) report(name, w_msg);
      size_t warnings = 0;
      for (auto& record : in.records) {
        llvm::StringRef function = record.Name;  // owned by `in.names`, which outlives the loop
        uint64_t hash = record.Hash;
        writer_->addRecord(std::move(record), w, [&](llvm::Error e) {
          std::string message = llvm::toString(std::move(e));
          if (++warnings <= kMaxRecordWarnings) {
            report(name, fmt::format("function {} (hash {:#x}): {}", function.str(), hash, message));
          }
        });
      }
      if (warnings > kMaxRecordWarnings) {
        report(name, fmt::format("{} more function records with warnings", warnings - kMaxRecordWarnings));
      }
      if (in.reader->hasTemporalProfile()) {
        auto& traces = in.reader->getTemporalProfTraces(w);
        if (!traces.empty()) {
          writer_->addTemporalProfileTraces(traces, in.reader->getTemporalProfTraceStreamSize());
        }
      }
      writer_->addBinaryIds(in.binary_ids);
      in.records.clear();
      scratch_ = std::move(in.records);
      return success();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "{}: merging failed: {}", name, e.what());
    }
  }

  Result<void> absorb(merge::MergeEngine& other) override {
    auto* peer = dynamic_cast<InstrEngine*>(&other);
    if (peer == nullptr) {
      return make_error(ErrorCode::Internal, "cannot fold a {} engine into an instr engine",
                        to_string(other.family()));
    }
    if (peer == this) return success();
    try {
      llvm::InstrProfKind kind = peer->writer_->getProfileKind();
      if (kind != llvm::InstrProfKind::Unknown) {
        if (llvm::Error e = writer_->mergeProfileKind(kind)) {
          llvm::consumeError(std::move(e));
          return make_error(ErrorCode::Input, "merging worker results: {}", kind_conflict(kind));
        }
      }
      size_t warnings = 0;
      writer_->mergeRecordsFromWriter(std::move(*peer->writer_), [&](llvm::Error e) {
        std::string message = llvm::toString(std::move(e));
        if (++warnings <= kMaxRecordWarnings) report("(worker results)", message);
      });
      peer->writer_ = new_writer();  // the peer is empty now and its memory is released
      return success();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "merging worker results failed: {}", e.what());
    }
  }

  Result<void> write(const std::filesystem::path& out) override {
    try {
      return write_atomically(out, [&](llvm::raw_fd_ostream& os) -> Result<void> {
        if (llvm::Error e = writer_->write(os)) {
          return make_error(ErrorCode::Io, "{}: cannot write indexed profile: {}", out.string(),
                            llvm::toString(std::move(e)));
        }
        return success();
      });
    } catch (const std::exception& e) {
      return make_error(ErrorCode::Internal, "{}: writing failed: {}", out.string(), e.what());
    }
  }

  [[nodiscard]] ProfileFamily family() const override { return ProfileFamily::Instr; }

 private:
  std::string kind_conflict(llvm::InstrProfKind incoming) const {
    bool fe_in = static_cast<bool>(incoming & llvm::InstrProfKind::FrontendInstrumentation);
    bool fe_have = static_cast<bool>(writer_->getProfileKind() & llvm::InstrProfKind::FrontendInstrumentation);
    if (fe_in != fe_have) {
      return fmt::format(
          "cannot merge a {} profile into {} profiles (clang -fprofile-instr-generate and "
          "-fprofile-generate profiles do not mix)",
          fe_in ? "front-end (-fprofile-instr-generate)" : "IR-level (-fprofile-generate)",
          fe_have ? "front-end" : "IR-level");
    }
    return "cannot merge function-entry-only profiles with basic-block profiles";
  }

  void report(std::string_view input, const std::string& message) const {
    if (warn_) warn_(std::string(input), message);
  }

  merge::WarnFn warn_;
  std::unique_ptr<llvm::InstrProfWriter> writer_;
  std::vector<llvm::NamedInstrProfRecord> scratch_;  // emptied record vector kept for its capacity
};

}  // namespace

Result<std::unique_ptr<merge::MergeEngine>> make_instr_engine(const merge::MergeOptions& options, merge::WarnFn warn) {
  if (options.output_format != ProfileFormat::Unknown &&
      options.output_format != ProfileFormat::LlvmIndexed) {
    return make_error(ErrorCode::Usage,
                      "output format {} is not available for LLVM instrumented profiles (use {})",
                      to_string(options.output_format), to_string(ProfileFormat::LlvmIndexed));
  }
  return std::unique_ptr<merge::MergeEngine>(std::make_unique<InstrEngine>(std::move(warn)));
}

Result<std::vector<InstrFunction>> read_instr_functions(std::string_view name, std::string_view bytes) {
  try {
    PGO_TRY_ASSIGN(LoadedInput in, load(name, bytes));
    std::vector<InstrFunction> out;
    out.reserve(in.records.size());
    for (const auto& record : in.records) {
      uint64_t sum = 0;
      for (uint64_t c : record.Counts) sum += c;
      out.push_back(InstrFunction{record.Name.str(), record.Hash, sum});
    }
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "{}: reading failed: {}", name, e.what());
  }
}

Result<merge::ProfileSummary> summarize_instr(std::string_view name, std::string_view bytes, size_t top) {
  try {
    PGO_TRY_ASSIGN(LoadedInput in, load(name, bytes));
    merge::ProfileSummary summary;
    summary.format = format_of(bytes);
    summary.functions = in.records.size();
    std::vector<merge::HotFunction> hot;
    hot.reserve(in.records.size());
    for (const auto& record : in.records) {
      uint64_t max_count = 0;
      for (uint64_t c : record.Counts) {
        max_count = std::max(max_count, c);
        summary.total += c;
      }
      hot.push_back(merge::HotFunction{record.Name.str(), max_count});
    }
    keep_hottest(hot, top);
    summary.hottest = std::move(hot);
    for (const auto& id : in.binary_ids) summary.build_ids.push_back(hex(id));
    std::sort(summary.build_ids.begin(), summary.build_ids.end());
    summary.build_ids.erase(std::unique(summary.build_ids.begin(), summary.build_ids.end()),
                            summary.build_ids.end());
    return summary;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, "{}: summarizing failed: {}", name, e.what());
  }
}

}  // namespace pgopipe::llvm_merge
