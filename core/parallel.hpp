// SPDX-License-Identifier: Apache-2.0
// Bounded parallelism for bulk operations (transfers, listings, compressing an output).
#pragma once

#include <cstddef>
#include <functional>

#include "core/result.hpp"

namespace pgopipe {

// Runs fn(0..n-1) on up to `concurrency` threads. Stops handing out new indices after the
// first failure and returns that failure (the one with the lowest index among failures seen).
Result<void> parallel_for(size_t n, int concurrency, const std::function<Result<void>(size_t)>& fn);

}  // namespace pgopipe
