// SPDX-License-Identifier: Apache-2.0
// The merged profile lives in the same compact Tables shape as a decoded input, folded into by
// TableFolder (table_folder.hpp). Only the merged tables and one input are ever in memory.
#include "core/formats/pprof/pprof.hpp"
#include "merger/pprof/pprof_engine.hpp"
#include "merger/pprof/pprof_input.hpp"
#include "merger/pprof/pprof_tables.hpp"
#include "merger/pprof/sample_totals.hpp"
#include "merger/pprof/table_folder.hpp"

namespace pgopipe::pprof_merge {
namespace {
using namespace pprof_merge;

class PprofEngine final : public merge::MergeEngine {
 public:
  PprofEngine(merge::MergeOptions options, merge::WarnFn warn) : options_(options), warn_(std::move(warn)) { reset(); }

  Result<void> add(std::string_view name, std::string_view bytes, double weight) override {
    // The engine's own buffers are reused between inputs: their capacity is the "one input".
    PGO_TRY_ASSIGN(weight, prepare_input(name, bytes, weight, options_, warn_, inflated_, input_));
    return fold_prepared(name, input_, weight);
  }

  [[nodiscard]] std::unique_ptr<merge::DecodedInput> make_decoded() const override {
    return std::make_unique<DecodedPprof>();
  }

  Result<void> decode(std::string_view name, std::string bytes, double weight,
                      merge::DecodedInput& into) const override {
    auto& d = static_cast<DecodedPprof&>(into);
    d.name = name;
    d.bytes = std::move(bytes);
    PGO_TRY_ASSIGN(d.weight, prepare_input(d.name, d.bytes, weight, options_, warn_, d.inflated, d.tables));
    return success();
  }

  Result<void> fold_decoded(merge::DecodedInput& input) override {
    auto& d = static_cast<DecodedPprof&>(input);
    return fold_prepared(d.name, d.tables, d.weight);
  }

  Result<void> absorb(merge::MergeEngine& other_engine) override {
    auto* other = dynamic_cast<PprofEngine*>(&other_engine);
    if (other == nullptr) {
      return make_error(ErrorCode::Internal, "cannot fold a {} merge engine into a pprof engine",
                        to_string(other_engine.family()));
    }
    if (other == this || !other->folder_.has_input()) return success();
    const Tables& theirs = other->folder_.merged();
    PGO_TRY(check_compatible(fmt::format("profiles merged from {}", other->first_input_), theirs));
    folder_.fold(theirs, 1.0);
    add_totals(input_totals_, other->input_totals_);
    if (first_input_.empty()) first_input_ = other->first_input_;
    other->reset();
    return success();
  }

  Result<void> write(const std::filesystem::path& out) override {
    if (!folder_.has_input()) return make_error(ErrorCode::NotFound, "{}: no pprof input was merged", out.string());
    // Duration normalisation weights every input as one minute, which inflates the totals (a
    // 1.4 s merge would read "97.92s (7009 %)" in go tool pprof): scale each sample type back
    // to the inputs' own total, keeping the weighting's shape. The duration is already the sum.
    if (options_.normalize_duration) {
      rescale_to_totals(folder_.merged(), input_totals_);
      input_totals_ = sample_totals(folder_.merged());  // a second write must not scale again
    }
    return write_tables(folder_.merged(), out, options_.output_format != ProfileFormat::Pprof, options_.write_threads);
  }

  [[nodiscard]] ProfileFamily family() const override { return ProfileFamily::Pprof; }

 private:
  // An input inflated, checked and decoded on any thread, waiting to be folded.
  struct DecodedPprof final : merge::DecodedInput {
    std::string name;
    std::string bytes;     // as loaded: the tables view into it when it is not gzipped
    std::string inflated;  // its inflated form (the holder is reused, and so is this buffer)
    Tables tables;
    double weight = 0;     // after duration normalisation
  };

  // Folds a prepared input into the merged tables, if its sample types match theirs.
  Result<void> fold_prepared(std::string_view name, const Tables& src, double weight) {
    PGO_TRY(check_compatible(name, src));
    add_totals(input_totals_, sample_totals(src));
    if (folder_.fold(src, weight) && warn_) {
      warn_(std::string(name), fmt::format("values times weight {} exceed the 64-bit range; clamped", weight));
    }
    if (first_input_.empty()) first_input_ = name;
    return success();
  }

  void reset() {
    folder_.clear();  // frees memory (an absorbed engine is emptied)
    input_ = Tables{};
    std::string().swap(inflated_);
    first_input_.clear();
    input_totals_.clear();
  }

  Result<void> check_compatible(std::string_view name, const Tables& src) const {
    return folder_.has_input() ? check_sample_types(name, src, folder_.merged(), first_input_) : success();
  }

  merge::MergeOptions options_;
  merge::WarnFn warn_;
  TableFolder folder_;
  Tables input_;
  std::string inflated_;  // the current input, inflated (reused: one allocation for all)
  std::vector<double> input_totals_;  // per sample type, unweighted, over every input added
  std::string first_input_;
};

}  // namespace

Result<std::unique_ptr<merge::MergeEngine>> make_pprof_engine(const merge::MergeOptions& options, merge::WarnFn warn) {
  auto f = options.output_format;
  if (f != ProfileFormat::Unknown && f != ProfileFormat::Pprof && f != ProfileFormat::PprofGzip) {
    return make_error(ErrorCode::Usage, "output format {} is not a pprof format (use pprof or pprof-gzip)",
                      to_string(f));
  }
  return std::unique_ptr<merge::MergeEngine>(std::make_unique<PprofEngine>(options, std::move(warn)));
}

}  // namespace pgopipe::pprof_merge
