// SPDX-License-Identifier: Apache-2.0
// A merge engine accumulates profiles of one family (pprof, LLVM instrumented, LLVM sample)
// and writes the merged result. The driver (merger/driver.hpp) feeds it inputs one at a time
// on several workers and folds the engines together at the end, so memory stays bounded by the
// merged result per engine plus a few inputs per worker. Engines that can decode an input apart
// from their merged state (pprof) let every worker decode while the workers take turns folding
// into one engine, in input order (so the output does not depend on the number of workers);
// the others get one engine per worker.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/formats/format.hpp"
#include "core/limits.hpp"
#include "core/result.hpp"

namespace pgopipe::merge {

struct MergeOptions {
  // Output encoding; Unknown means the family's default (pprof-gzip, llvm-indexed,
  // sample-extbinary). Must belong to the engine's family.
  ProfileFormat output_format = ProfileFormat::Unknown;
  // What one input may decompress and decode to (gzip bombs, amplifying records); the
  // pprof engine checks all of them, the LLVM engines the record count.
  InputLimits limits;
  // pprof only: scale each input by 60 s / its duration_nanos, so every profile counts as one
  // minute of samples whatever its length (inputs without a duration are taken as they are).
  bool normalize_duration = false;
  // Threads `write` may use to compress its output (pprof: one gzip member per thread's share
  // of the encoded profile; the driver passes its job count, since its workers are idle then).
  int write_threads = 1;
};

// An input decoded apart from any engine's merged state (MergeEngine::decode), owning what it
// refers to; holders are reused from one input to the next.
class DecodedInput {
 public:
  virtual ~DecodedInput() = default;
};

// A non-fatal problem inside one input (e.g. a function hash conflict), reported by name.
using WarnFn = std::function<void(const std::string& input, const std::string& message)>;

class MergeEngine {
 public:
  virtual ~MergeEngine() = default;

  // Merges one input profile (raw file bytes) scaled by `weight` (> 0; engines whose format
  // needs integers receive integral values from the driver). A malformed input is an Input
  // error naming `name`, and leaves the engine's accumulated state unchanged.
  virtual Result<void> add(std::string_view name, std::string_view bytes, double weight) = 0;

  // A holder for `decode`, when this engine can decode an input on one thread while another
  // thread folds; nullptr (the default) when inputs go through `add` only.
  [[nodiscard]] virtual std::unique_ptr<DecodedInput> make_decoded() const { return nullptr; }

  // Decodes and checks one input into `into` (made by `make_decoded` of an engine of the same
  // family and options) without touching merged state, so any thread may call it. Errors as
  // `add`'s.
  virtual Result<void> decode(std::string_view name, std::string /*bytes*/, double /*weight*/,
                              DecodedInput& /*into*/) const {
    return make_error(ErrorCode::Internal, "{}: the {} merge engine does not decode inputs apart", name,
                      to_string(family()));
  }

  // Folds a decoded input into this engine (`add` is decode and fold in one step). Errors when
  // the input does not fit what was merged so far (e.g. other sample types).
  virtual Result<void> fold_decoded(DecodedInput& /*input*/) {
    return make_error(ErrorCode::Internal, "the {} merge engine does not fold decoded inputs", to_string(family()));
  }

  // Folds everything `other` (an engine of the same family and options) accumulated into this.
  virtual Result<void> absorb(MergeEngine& other) = 0;

  // Writes the merged profile to `out` atomically (temp file + rename).
  virtual Result<void> write(const std::filesystem::path& out) = 0;

  // The family this engine merges.
  [[nodiscard]] virtual ProfileFamily family() const = 0;
};

// Creates an engine for `family`; Usage error if the family cannot be merged or the output
// format does not belong to it.
Result<std::unique_ptr<MergeEngine>> make_merge_engine(ProfileFamily family,
                                                       const MergeOptions& options, WarnFn warn);

// One of a profile's hottest functions, as `pgopipe show` and the rebuild report list them.
struct HotFunction {
  std::string name;
  // LLVM instr: the function's largest counter (llvm-profdata's --topn measure); LLVM sample:
  // total samples; pprof: flat value of the first sample type.
  uint64_t count = 0;
  double share = 0;  // count / the profile's total, 0..1 (0 when the total is 0)
};

struct ProfileSummary {
  ProfileFormat format = ProfileFormat::Unknown;
  uint64_t functions = 0;               // functions with a profile record
  uint64_t total = 0;                   // total counts / samples (first sample type for pprof)
  std::vector<std::string> sample_types;  // pprof "type/unit", LLVM: empty
  std::vector<HotFunction> hottest;     // at most `top`, descending
  std::vector<std::string> build_ids;   // hex
};

// Summarises one profile file of any mergeable family; Input error naming `name` if malformed
// or beyond `limits`.
Result<ProfileSummary> summarize_profile(std::string_view name, std::string_view bytes, size_t top,
                                         const InputLimits& limits = {});

}  // namespace pgopipe::merge
