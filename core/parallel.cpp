// SPDX-License-Identifier: Apache-2.0
#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pgopipe {

Result<void> parallel_for(size_t n, int concurrency,
                          const std::function<Result<void>(size_t)>& fn) {
  if (n == 0) return success();
  size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(concurrency, 1)), 1, n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<std::pair<size_t, Error>> first_error;

  auto work = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      auto r = fn(i);
      if (!r) {
        std::lock_guard lock(mu);
        if (!first_error || i < first_error->first) first_error.emplace(i, r.error());
        failed = true;
      }
    }
  };
  if (workers == 1) {
    work();
  } else {
    std::vector<std::jthread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(work);
  }
  if (first_error) return first_error->second;
  return success();
}

}  // namespace pgopipe
