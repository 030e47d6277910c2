// SPDX-License-Identifier: Apache-2.0
// Runs the stages of one rebuild and is the only writer of the report's stage list.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/result.hpp"
#include "rebuild/run_report.hpp"

namespace pgopipe::rebuild {

class StageRunner {
 public:
  // `stop` is polled before each stage: an error (a signal, a lost lock) ends the run there.
  StageRunner(RunReport& report, std::function<std::optional<Error>()> stop)
      : report_(report), stop_(std::move(stop)) {}

  // Runs `fn` as stage `name`: times it, logs "stage NAME: DETAIL in S s" with `detail(result)`,
  // records it as ok or failed; when `stop` says so, records the reason and returns its error.
  // A stage that fails while `stop` has a reason (the lock was lost meanwhile) ends with it.
  template <typename T, typename Fn, typename Detail>
  Result<T> run(const char* name, Fn&& fn, Detail&& detail) {
    if (auto reason = stop_()) {
      record(name, 0, "failed", reason->message);
      return *reason;
    }
    auto start = std::chrono::steady_clock::now();
    Result<T> out = fn();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!out) {
      record(name, seconds, "failed", out.error().message);
      spdlog::warn("stage {}: failed after {:.1f} s", name, seconds);
      if (auto reason = stop_(); reason && reason->code == ErrorCode::Busy) return *reason;
      return out;
    }
    std::string text = detail(*out);
    record(name, seconds, "ok", text);
    spdlog::info("stage {}: {} in {:.1f} s", name, text, seconds);
    return out;
  }

  // Records a stage that does not apply to this run, with the reason.
  void skip(const char* name, std::string why) { record(name, 0, "skipped", std::move(why)); }

 private:
  void record(const char* name, double seconds, const char* status, std::string detail) {
    report_.stages.push_back({name, seconds, status, std::move(detail)});
  }

  RunReport& report_;
  std::function<std::optional<Error>()> stop_;
};

}  // namespace pgopipe::rebuild
