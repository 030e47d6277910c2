// SPDX-License-Identifier: Apache-2.0
// Statistics over posted values: one virtual Aggregator per requested statistic.
#include <algorithm>
#include <memory>

#include "handlers.hpp"
#include "json.hpp"

namespace svc {

namespace {

// One statistic over a stream of values.
class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual void add(double v) = 0;
  virtual double result() const = 0;
};

class SumAgg final : public Aggregator {
 public:
  void add(double v) override { sum_ += v; }
  double result() const override { return sum_; }

 private:
  double sum_ = 0;
};

class MeanAgg final : public Aggregator {
 public:
  void add(double v) override { sum_ += v; ++n_; }
  double result() const override { return n_ == 0 ? 0.0 : sum_ / static_cast<double>(n_); }

 private:
  double sum_ = 0;
  std::int64_t n_ = 0;
};

class MinAgg final : public Aggregator {
 public:
  void add(double v) override { if (v < m_) m_ = v; }
  double result() const override { return m_; }

 private:
  double m_ = 1e300;
};

class MaxAgg final : public Aggregator {
 public:
  void add(double v) override { if (v > m_) m_ = v; }
  double result() const override { return m_; }

 private:
  double m_ = -1e300;
};

// Welford's online variance.
class VarianceAgg final : public Aggregator {
 public:
  void add(double v) override {
    ++n_;
    double d = v - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (v - mean_);
  }
  double result() const override { return n_ < 2 ? 0.0 : m2_ / static_cast<double>(n_ - 1); }

 private:
  std::int64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
};

class MedianAgg final : public Aggregator {
 public:
  void add(double v) override { values_.push_back(v); }
  double result() const override {
    if (values_.empty()) return 0.0;
    std::vector<double> sorted = values_;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
  }

 private:
  std::vector<double> values_;
};

std::unique_ptr<Aggregator> make_aggregator(std::string_view name) {
  if (name == "sum") return std::make_unique<SumAgg>();
  if (name == "mean") return std::make_unique<MeanAgg>();
  if (name == "min") return std::make_unique<MinAgg>();
  if (name == "max") return std::make_unique<MaxAgg>();
  if (name == "var") return std::make_unique<VarianceAgg>();
  if (name == "median") return std::make_unique<MedianAgg>();
  return nullptr;
}

class StatsHandler final : public Handler {
 public:
  std::string_view name() const override { return "stats"; }
  void handle(const Request& req, const Params&, Response& res) override {
    Value doc;
    ParseError perr;
    if (!parse_json(req.body, doc, perr)) return error_response(res, 400, perr.message);
    const Value* values = doc.find("values");
    const Value* ops = doc.find("ops");
    if (values == nullptr || values->kind != Value::Kind::Array) {
      return error_response(res, 400, "missing array member 'values'");
    }
    std::vector<std::unique_ptr<Aggregator>> aggs;
    std::vector<std::string_view> names;
    if (ops != nullptr && ops->kind == Value::Kind::Array) {
      for (const Value& op : ops->items) {
        auto agg = make_aggregator(op.text);
        if (!agg) return error_response(res, 422, "unknown statistic '" + op.text + "'");
        aggs.push_back(std::move(agg));
        names.push_back(op.text);
      }
    } else {
      aggs.push_back(std::make_unique<SumAgg>());
      names.push_back("sum");
    }
    std::int64_t skipped = 0;
    for (const Value& v : values->items) {
      if (v.kind != Value::Kind::Int && v.kind != Value::Kind::Double) {
        ++skipped;
        continue;
      }
      double x = v.as_double();
      for (auto& agg : aggs) agg->add(x);
    }
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("count"); w.integer(static_cast<std::int64_t>(values->items.size()) - skipped);
    w.key("skipped"); w.integer(skipped);
    for (std::size_t i = 0; i < aggs.size(); ++i) {
      w.key(names[i]);
      w.number(aggs[i]->result());
    }
    w.end_object();
  }
};

}  // namespace

std::shared_ptr<Handler> make_stats_handler() { return std::make_shared<StatsHandler>(); }

}  // namespace svc
