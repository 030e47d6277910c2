// SPDX-License-Identifier: Apache-2.0
#include "merger/weights.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "core/fs.hpp"

namespace pgopipe::merge {
namespace {

Result<double> parse_weight(std::string_view text, std::string_view where) {
  double w = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), w);
  if (ec != std::errc{} || p != text.data() + text.size() || !(w > 0) || !std::isfinite(w)) {
    return make_error(ErrorCode::Usage, "{}: weight '{}' is not a positive number", where, text);
  }
  return w;
}

bool is_integral(double w) { return std::floor(w) == w && w <= 1e15; }

}  // namespace

Result<void> add_weight_argument(WeightPolicy& policy, const std::string& argument) {
  size_t eq = argument.rfind('=');
  if (eq == std::string::npos || eq == 0) {
    return make_error(ErrorCode::Usage, "--weight '{}' is not of the form FILE=N", argument);
  }
  PGO_TRY_ASSIGN(double w, parse_weight(std::string_view(argument).substr(eq + 1),
                                        "--weight " + argument));
  policy.explicit_weights[argument.substr(0, eq)] = w;
  return success();
}

Result<void> add_weight_file(WeightPolicy& policy, const std::string& path) {
  PGO_TRY_ASSIGN(std::string text, read_file(path, 64 << 20));
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    std::string where = fmt::format("{}:{}", path, line_no);
    size_t space = line.find_first_of(" \t");
    if (space != std::string::npos && line.find('=') == std::string::npos) {
      PGO_TRY_ASSIGN(double w, parse_weight(line.substr(0, space), where));
      std::string file = line.substr(line.find_first_not_of(" \t", space));
      policy.explicit_weights[file] = w;
    } else {
      auto r = add_weight_argument(policy, line);
      if (!r) return make_error(ErrorCode::Usage, "{}: {}", where, r.error().message);
    }
  }
  return success();
}

Result<WeightPlan> plan_weights(const WeightPolicy& policy, const std::vector<WeightInput>& inputs) {
  std::set<std::string> names;
  for (const auto& in : inputs) names.insert(in.name);
  for (const auto& [name, w] : policy.explicit_weights) {
    if (!names.count(name)) {
      return make_error(ErrorCode::Usage, "weight given for '{}', which is not an input", name);
    }
  }
  WeightPlan plan;
  for (const auto& in : inputs) {
    double w = 1.0;
    if (auto it = policy.explicit_weights.find(in.name); it != policy.explicit_weights.end()) {
      w = it->second;
    }
    if (policy.half_life && in.collected_at) {
      double age = std::chrono::duration<double>(policy.window_end - *in.collected_at).count();
      double half = std::chrono::duration<double>(*policy.half_life).count();
      w *= std::exp2(-std::max(age, 0.0) / half);
    }
    plan.weights.push_back(w);
  }
  return plan;
}

WeightPlan to_integer_weights(const WeightPlan& plan, const std::vector<WeightInput>& inputs,
                              double resolution) {
  WeightPlan out;
  out.notes = plan.notes;
  if (std::all_of(plan.weights.begin(), plan.weights.end(), is_integral)) {
    out.weights = plan.weights;
    return out;
  }
  double heaviest = *std::max_element(plan.weights.begin(), plan.weights.end());
  for (size_t i = 0; i < plan.weights.size(); ++i) {
    double scaled = std::round(plan.weights[i] / heaviest * resolution);
    if (scaled < 1) {
      out.notes.push_back(fmt::format(
          "{}: weight {:.3g} is below 1/{:g} of the heaviest input; counted with integer weight 1",
          inputs[i].name, plan.weights[i], resolution));
      scaled = 1;
    }
    out.weights.push_back(scaled);
  }
  return out;
}

}  // namespace pgopipe::merge
