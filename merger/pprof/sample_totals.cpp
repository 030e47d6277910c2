// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/sample_totals.hpp"

#include <algorithm>
#include <cmath>

namespace pgopipe::pprof_merge {

int64_t scale_value(int64_t value, double weight, bool& clamped) {
  double x = static_cast<double>(value) * weight;
  constexpr double kMax = 9223372036854774784.0;  // the largest double below 2^63
  if (!(x < kMax) || !(x > -kMax)) {
    clamped = true;
    return std::isnan(x) || x > 0 ? INT64_MAX : INT64_MIN;
  }
  return std::llround(x);
}

std::vector<double> sample_totals(const Tables& t) {
  const size_t n = t.value_count();
  std::vector<double> totals(n, 0.0);
  for (size_t i = 0; i < t.samples.size(); ++i) {
    for (size_t k = 0; k < n; ++k) totals[k] += static_cast<double>(t.values[i * n + k]);
  }
  return totals;
}

void add_totals(std::vector<double>& totals, const std::vector<double>& more) {
  totals.resize(std::max(totals.size(), more.size()), 0.0);
  for (size_t k = 0; k < more.size(); ++k) totals[k] += more[k];
}

void rescale_to_totals(Tables& t, const std::vector<double>& target) {
  const size_t n = t.value_count();
  const std::vector<double> current = sample_totals(t);
  for (size_t k = 0; k < n && k < target.size(); ++k) {
    if (current[k] == 0 || target[k] == 0) continue;
    const double factor = target[k] / current[k];
    bool clamped = false;
    for (size_t i = 0; i < t.samples.size(); ++i) {
      int64_t& v = t.values[i * n + k];
      v = scale_value(v, factor, clamped);
    }
  }
}

}  // namespace pgopipe::pprof_merge
