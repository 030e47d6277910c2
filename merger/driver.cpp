// SPDX-License-Identifier: Apache-2.0
#include "merger/driver.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
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
  std::vector<std::unique_ptr<MergeEngine>> engines;
  for (size_t j = 0; j < jobs; ++j) {
    PGO_TRY_ASSIGN(auto engine, make_merge_engine(report.family, options, warn));
    engines.push_back(std::move(engine));
  }

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<bool> merged(req.sources.size(), false);
  std::optional<std::pair<size_t, Error>> fatal;
  size_t done = 0;
  uint64_t bytes_read = 0;

  auto worker = [&](size_t w) {
    while (!stop.load()) {
      size_t i = next.fetch_add(1);
      if (i >= req.sources.size()) return;
      const MergeSource& src = req.sources[i];
      Result<void> r = success();
      uint64_t size = 0;
      if (family_of(src.format) != report.family && src.format != ProfileFormat::Unknown) {
        r = make_error(ErrorCode::Input, "{}: is {}, not a {} profile", src.name,
                       to_string(src.format), to_string(report.family));
      } else if (auto bytes = src.load(); !bytes) {
        r = bytes.error();
      } else {
        size = bytes->size();
        r = engines[w]->add(src.name, *bytes, plan.weights[i]);
      }
      std::lock_guard lock(mu);
      if (req.progress) req.progress(++done, req.sources.size(), bytes_read += size);
      if (r) {
        merged[i] = true;
        continue;
      }
      if (req.failure_mode == FailureMode::Any) {
        if (!fatal || i < fatal->first) fatal.emplace(i, r.error());
        stop = true;
        return;
      }
      report.skipped.emplace_back(src.name, r.error().message);
      warn(src.name, "skipped: " + r.error().message);
    }
  };
  {
    std::vector<std::jthread> threads;
    for (size_t w = 0; w < jobs; ++w) threads.emplace_back(worker, w);
  }
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
