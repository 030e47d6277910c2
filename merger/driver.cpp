// SPDX-License-Identifier: Apache-2.0
#include "merger/driver.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/fs.hpp"
#include "core/parallel.hpp"

namespace pgopipe::merge {
namespace {

namespace fs = std::filesystem;

constexpr size_t kDetectBytes = 64 * 1024;

Result<std::string> read_head(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Input, "{}: cannot open", path);
  std::string head(bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

ProfileFormat detect(std::string_view bytes) {
  return detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// Decides the family: explicit, or the one every input agrees on. Mixing is an error that
// names an input of each family found.
Result<ProfileFamily> decide_family(const MergeRequest& req) {
  std::map<ProfileFamily, std::string> seen;
  for (const auto& s : req.sources) {
    ProfileFamily f = family_of(s.format);
    if (f != ProfileFamily::Unknown) seen.emplace(f, s.name);
  }
  if (req.family) {
    if (*req.family == ProfileFamily::Perf) {
      return make_error(ErrorCode::Usage, "perf data is converted, not merged: use pgopipe convert");
    }
    return *req.family;
  }
  if (seen.empty()) {
    return make_error(ErrorCode::Input, "no input is a recognised profile (first: {})",
                      req.sources.empty() ? "none" : req.sources.front().name);
  }
  if (seen.size() > 1) {
    std::string found;
    for (const auto& [family, name] : seen) {
      found += fmt::format("{}{} in {}", found.empty() ? "" : ", ", to_string(family), name);
    }
    return make_error(ErrorCode::Input, "cannot merge different kinds of profile: found {}", found);
  }
  if (seen.begin()->first == ProfileFamily::Perf) {
    return make_error(ErrorCode::Usage, "{} is perf data: convert it with pgopipe convert",
                      seen.begin()->second);
  }
  return seen.begin()->first;
}

// Folds engines[1..] into engines[0], pairwise in rounds (in parallel within a round).
Result<void> fold_pairwise(std::vector<std::unique_ptr<MergeEngine>>& engines) {
  for (size_t step = 1; step < engines.size(); step *= 2) {
    std::vector<size_t> targets;
    for (size_t i = 0; i + step < engines.size(); i += 2 * step) targets.push_back(i);
    PGO_TRY(parallel_for(targets.size(), static_cast<int>(targets.size()), [&](size_t t) {
      size_t i = targets[t];
      auto r = engines[i]->absorb(*engines[i + step]);
      engines[i + step].reset();
      return r;
    }));
  }
  return success();
}

// Each input's outcome, shared by the workers: which were merged, the first fatal error, the
// progress callback. Also hands out inputs until all are taken or a fatal error stops the merge.
class Outcomes {
 public:
  Outcomes(const MergeRequest& req, MergeReport& report, const WarnFn& warn)
      : req_(req), report_(report), warn_(warn), merged_(req.sources.size(), false) {}

  // Whether a fatal error stopped the merge.
  [[nodiscard]] bool stopped() const { return stop_.load(); }

  // The next input to merge, or nullopt when none is left or the merge stopped.
  std::optional<size_t> next() {
    if (stop_.load()) return std::nullopt;
    size_t i = next_.fetch_add(1);
    if (i >= req_.sources.size()) return std::nullopt;
    return i;
  }

  // Records input i's outcome: merged, skipped with a warning, or (FailureMode::Any) fatal.
  void record(size_t i, const Result<void>& r, uint64_t size) {
    std::lock_guard lock(mu_);
    if (req_.progress) req_.progress(++done_, req_.sources.size(), bytes_read_ += size);
    if (r) {
      merged_[i] = true;
      return;
    }
    if (req_.failure_mode == FailureMode::Any) {
      if (!fatal_ || i < fatal_->first) fatal_.emplace(i, r.error());
      stop_ = true;
      return;
    }
    report_.skipped.emplace_back(req_.sources[i].name, r.error().message);
    warn_(req_.sources[i].name, "skipped: " + r.error().message);
  }

  // Read after the workers are done.
  [[nodiscard]] const std::optional<std::pair<size_t, Error>>& fatal() const { return fatal_; }
  [[nodiscard]] const std::vector<bool>& merged() const { return merged_; }

 private:
  const MergeRequest& req_;
  MergeReport& report_;
  const WarnFn& warn_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<bool> merged_;
  std::optional<std::pair<size_t, Error>> fatal_;
  size_t done_ = 0;
  uint64_t bytes_read_ = 0;
};

// Loads one input's bytes, refusing an input of another family before reading it.
Result<std::string> load_input(const MergeSource& src, ProfileFamily family) {
  if (family_of(src.format) != family && src.format != ProfileFormat::Unknown) {
    return make_error(ErrorCode::Input, "{}: is {}, not a {} profile", src.name, to_string(src.format),
                      to_string(family));
  }
  return src.load();
}

// One worker per engine, each adding the inputs it takes to its own engine.
void add_on_each(std::vector<std::unique_ptr<MergeEngine>>& engines, const MergeRequest& req,
                 const std::vector<double>& weights, ProfileFamily family, Outcomes& outcomes) {
  auto worker = [&](size_t w) {
    while (auto i = outcomes.next()) {
      auto bytes = load_input(req.sources[*i], family);
      Result<void> r = bytes ? engines[w]->add(req.sources[*i].name, *bytes, weights[*i]) : Result<void>(bytes.error());
      outcomes.record(*i, r, bytes ? bytes->size() : 0);
    }
  };
  std::vector<std::jthread> threads;
  for (size_t w = 0; w < engines.size(); ++w) threads.emplace_back(worker, w);
}

// Workers load and decode inputs in parallel; the decoded inputs are folded into the one
// engine in input order, by whichever worker finds it free. So the merged tables, and the
// output's bytes, do not depend on how the work was shared: they are one worker's. A worker
// takes a new input only while fewer than 2 x `jobs` decoded inputs wait, which bounds memory.
void decode_and_fold(MergeEngine& engine, const MergeRequest& req, const std::vector<double>& weights,
                     ProfileFamily family, size_t jobs, Outcomes& outcomes) {
  struct Pending {
    uint64_t size = 0;
    std::unique_ptr<DecodedInput> input;  // null: the input failed, its outcome is recorded
  };
  std::mutex mu;                 // guards ready, spare and next_fold
  std::condition_variable room;  // a fold (or a stop) made room for another input
  std::map<size_t, Pending> ready;
  std::vector<std::unique_ptr<DecodedInput>> spare;  // holders to reuse, with their buffers
  size_t next_fold = 0;
  std::mutex fold_mu;  // held by the worker folding
  const MergeEngine& decoder = engine;  // decode touches no merged state

  // Folds the inputs that are next in order and ready. A worker that finds another folding
  // leaves it to them: the folder looks again after letting go, so no ready input is missed.
  auto fold_in_order = [&] {
    for (;;) {
      std::unique_lock folding(fold_mu, std::try_to_lock);
      if (!folding) return;
      for (;;) {
        size_t index = 0;
        Pending p;
        {
          std::lock_guard lock(mu);
          auto it = ready.find(next_fold);
          if (it == ready.end()) break;
          index = next_fold++;
          p = std::move(it->second);
          ready.erase(it);
        }
        room.notify_all();
        if (!p.input) continue;
        if (!outcomes.stopped()) outcomes.record(index, engine.fold_decoded(*p.input), p.size);
        std::lock_guard lock(mu);
        spare.push_back(std::move(p.input));
      }
      folding.unlock();
      std::lock_guard lock(mu);
      if (!ready.contains(next_fold)) return;
    }
  };
  // Loads and decodes input i; null input when it failed (the failure is recorded).
  auto load_and_decode = [&](size_t i) {
    Pending p;
    auto bytes = load_input(req.sources[i], family);
    if (!bytes) {
      outcomes.record(i, bytes.error(), 0);
      return p;
    }
    p.size = bytes->size();
    {
      std::lock_guard lock(mu);
      if (!spare.empty()) {
        p.input = std::move(spare.back());
        spare.pop_back();
      }
    }
    if (!p.input) p.input = decoder.make_decoded();
    if (auto r = decoder.decode(req.sources[i].name, std::move(*bytes), weights[i], *p.input); !r) {
      outcomes.record(i, r, p.size);
      std::lock_guard lock(mu);
      spare.push_back(std::move(p.input));
    }
    return p;
  };
  auto worker = [&] {
    for (;;) {
      {
        std::unique_lock lock(mu);
        room.wait(lock, [&] { return ready.size() < 2 * jobs || outcomes.stopped(); });
      }
      auto i = outcomes.next();
      if (!i) break;
      Pending p = load_and_decode(*i);
      {
        std::lock_guard lock(mu);
        ready.emplace(*i, std::move(p));
      }
      room.notify_all();  // also wakes the waiting after a failure stopped the merge
      fold_in_order();
    }
    fold_in_order();
  };
  std::vector<std::jthread> threads;
  for (size_t w = 0; w < jobs; ++w) threads.emplace_back(worker);
}

}  // namespace

Result<FailureMode> parse_failure_mode(std::string_view text) {
  if (text == "any") return FailureMode::Any;
  if (text == "all") return FailureMode::All;
  if (text == "warn") return FailureMode::Warn;
  return make_error(ErrorCode::Usage, "--failure-mode '{}' is not one of any, all, warn", text);
}

Result<std::vector<MergeSource>> file_sources(const std::vector<std::string>& paths) {
  std::vector<MergeSource> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return make_error(ErrorCode::Input, "{}: no such file", path);
    PGO_TRY_ASSIGN(std::string head, read_head(path, kDetectBytes));
    ProfileFormat format = detect(head);
    if (format == ProfileFormat::Unknown && head.size() == kDetectBytes) {
      // Uncompressed pprof is recognised structurally, which needs the whole file.
      PGO_TRY_ASSIGN(std::string whole, read_file(path));
      format = detect(whole);
    }
    out.push_back({path, format, std::nullopt, Duration{0}, [path] { return read_file(path); }});
  }
  return out;
}

std::vector<MergeSource> store_sources(store::Store& store, const std::vector<store::StoredObject>& objects) {
  std::vector<MergeSource> out;
  for (const auto& o : objects) {
    out.push_back({o.key, o.meta.format, o.meta.collected_at, o.meta.duration,
                   [&store, key = o.key]() -> Result<std::string> {
                     PGO_TRY_ASSIGN(store::Blob blob, store.get(key));
                     return std::move(blob.bytes);
                   },
                   o.profiles});
  }
  return out;
}

Result<MergeReport> run_merge(const MergeRequest& req, const WarnFn& warn) {
  if (req.sources.empty()) return make_error(ErrorCode::NotFound, "no inputs to merge");
  MergeReport report;
  PGO_TRY_ASSIGN(report.family, decide_family(req));

  std::vector<WeightInput> weight_inputs;
  for (const auto& s : req.sources) weight_inputs.push_back({s.name, s.collected_at, s.duration});
  PGO_TRY_ASSIGN(WeightPlan plan, plan_weights(req.weights, weight_inputs));
  if (report.family != ProfileFamily::Pprof) plan = to_integer_weights(plan, weight_inputs);
  if (report.family == ProfileFamily::Pprof && req.options.normalize_duration) {
    // A rollup's duration is its profiles' sum: weighing it by their count makes each of them
    // one minute again.
    for (size_t i = 0; i < req.sources.size(); ++i) plan.weights[i] *= static_cast<double>(req.sources[i].profiles);
  }
  for (const auto& note : plan.notes) warn("weights", note);

  size_t jobs = std::clamp<size_t>(static_cast<size_t>(std::max(req.jobs, 1)), 1, req.sources.size());
  MergeOptions options = req.options;
  options.write_threads = std::max(req.jobs, 1);
  PGO_TRY_ASSIGN(auto probe, make_merge_engine(report.family, options, warn));
  const bool apart = jobs > 1 && probe->make_decoded() != nullptr;
  std::vector<std::unique_ptr<MergeEngine>> engines;
  engines.push_back(std::move(probe));
  for (size_t j = 1; j < jobs && !apart; ++j) {
    PGO_TRY_ASSIGN(auto engine, make_merge_engine(report.family, options, warn));
    engines.push_back(std::move(engine));
  }
  Outcomes outcomes(req, report, warn);
  if (apart) {
    decode_and_fold(*engines.front(), req, plan.weights, report.family, jobs, outcomes);
  } else {
    add_on_each(engines, req, plan.weights, report.family, outcomes);
  }
  const auto& fatal = outcomes.fatal();
  const auto& merged = outcomes.merged();
  if (fatal) return fatal->second;
  for (size_t i = 0; i < req.sources.size(); ++i) {
    if (!merged[i]) continue;
    report.merged += req.sources[i].profiles;
    if (auto t = req.sources[i].collected_at) {
      if (!report.first_collected || *t < *report.first_collected) report.first_collected = *t;
      if (!report.last_collected || *t > *report.last_collected) report.last_collected = *t;
    }
  }
  if (report.merged == 0) {
    return make_error(ErrorCode::Input, "none of the {} inputs could be merged (first problem: {})",
                      req.sources.size(),
                      report.skipped.empty() ? "none" : report.skipped.front().second);
  }
  PGO_TRY(fold_pairwise(engines));
  PGO_TRY(engines.front()->write(req.output));
  return report;
}

}  // namespace pgopipe::merge
