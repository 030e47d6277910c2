// SPDX-License-Identifier: Apache-2.0
// The hot endpoints: user lookups, filtered order listings, expression evaluation,
// statistics over posted values and catalog search.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "handlers.hpp"
#include "json.hpp"

namespace svc {

namespace {

class UserHandler final : public Handler {
 public:
  explicit UserHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "user"; }
  void handle(const Request& req, const Params& params, Response& res) override {
    std::int64_t id = to_int(params.get("id"), -1);
    if (id < 1 || id > static_cast<std::int64_t>(s_.users.size())) {
      return error_response(res, 404, "no such user");
    }
    const User& u = s_.users[static_cast<std::size_t>(id - 1)];
    CountingSink counter;
    StringSink body(res.body);
    Sink& sink = req.method == Method::Head ? static_cast<Sink&>(counter) : body;
    JsonWriter w(sink);
    w.begin_object();
    w.key("id"); w.integer(u.id);
    w.key("name"); w.string(u.name);
    w.key("email"); w.string(u.email);
    w.key("country"); w.string(u.country);
    w.key("age"); w.integer(u.age);
    w.key("balance"); w.number(static_cast<double>(u.balance_cents) / 100.0);
    w.key("tags");
    w.begin_array();
    for (const std::string& t : u.tags) w.string(t);
    w.end_array();
    w.key("address");
    w.begin_object();
    w.key("street"); w.string(u.street);
    w.key("city"); w.string(u.city);
    w.key("postcode"); w.string(u.postcode);
    w.end_object();
    w.key("preferences");
    w.begin_object();
    w.key("newsletter"); w.boolean(u.newsletter);
    w.key("locale"); w.string(u.locale);
    w.end_object();
    w.end_object();
    if (req.method == Method::Head) {
      res.head_only = true;
      res.head_length = counter.count();
    }
  }

 private:
  AppState& s_;
};

class OrdersHandler final : public Handler {
 public:
  explicit OrdersHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "orders"; }
  void handle(const Request& req, const Params& params, Response& res) override {
    std::int64_t id = to_int(params.get("id"), -1);
    if (id < 1 || id > static_cast<std::int64_t>(s_.users.size())) {
      return error_response(res, 404, "no such user");
    }
    std::string filter = percent_decode(req.query_param("filter"));
    std::int64_t limit = std::clamp<std::int64_t>(to_int(req.query_param("limit"), 20), 1, 100);
    const Program* program = nullptr;
    std::string error;
    if (!filter.empty()) {
      program = s_.programs.get(filter, error);
      if (program == nullptr) return error_response(res, 422, error);
    }
    // Map each variable slot of the filter to an order field.
    static constexpr std::array<std::string_view, 6> kFields = {"amount", "qty", "status",
                                                                 "day", "id", "uid"};
    std::vector<int> field_of;
    if (program != nullptr) {
      for (const std::string& var : program->variables) {
        auto it = std::find(kFields.begin(), kFields.end(), var);
        if (it == kFields.end()) return error_response(res, 422, "unknown field '" + var + "'");
        field_of.push_back(static_cast<int>(it - kFields.begin()));
      }
    }
    std::vector<Order> orders = AppState::orders_of(id);
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("user"); w.integer(id);
    w.key("orders");
    w.begin_array();
    std::int64_t matched = 0;
    std::int64_t total = 0;
    std::array<std::int64_t, 8> slots{};
    for (const Order& o : orders) {
      if (program != nullptr) {
        const std::array<std::int64_t, 6> fields = {o.amount, o.qty, o.status, o.day, o.id, id};
        for (std::size_t i = 0; i < field_of.size() && i < slots.size(); ++i) {
          slots[i] = fields[static_cast<std::size_t>(field_of[i])];
        }
        RunResult r = run_program(*program, std::span(slots.data(), field_of.size()));
        if (!r.ok) return error_response(res, 422, r.error);
        if (r.value == 0) continue;
      }
      total += o.amount * o.qty;
      if (++matched > limit) continue;
      w.begin_object();
      w.key("id"); w.integer(o.id);
      w.key("amount"); w.number(static_cast<double>(o.amount) / 100.0);
      w.key("qty"); w.integer(o.qty);
      w.key("status"); w.string(kStatus[static_cast<std::size_t>(o.status)]);
      w.key("day"); w.integer(o.day);
      w.end_object();
    }
    w.end_array();
    w.key("matched"); w.integer(matched);
    w.key("total"); w.number(static_cast<double>(total) / 100.0);
    w.end_object();
  }

 private:
  static constexpr std::array<std::string_view, 5> kStatus = {"new", "paid", "shipped",
                                                              "cancelled", "refunded"};
  AppState& s_;
};

class EvalHandler final : public Handler {
 public:
  explicit EvalHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "eval"; }
  void handle(const Request& req, const Params&, Response& res) override {
    Value doc;
    ParseError perr;
    if (!parse_json(req.body, doc, perr)) return error_response(res, 400, perr.message);
    const Value* expr = doc.find("expr");
    if (expr == nullptr || expr->kind != Value::Kind::String) {
      return error_response(res, 400, "missing string member 'expr'");
    }
    std::string error;
    const Program* program = s_.programs.get(expr->text, error);
    if (program == nullptr) return error_response(res, 422, error);
    std::vector<std::int64_t> slots(program->variables.size(), 0);
    int i_slot = program->slot_of("i");
    if (const Value* vars = doc.find("vars"); vars != nullptr && vars->kind == Value::Kind::Object) {
      for (std::size_t k = 0; k < vars->keys.size(); ++k) {
        int slot = program->slot_of(vars->keys[k]);
        if (slot >= 0) slots[static_cast<std::size_t>(slot)] = vars->items[k].as_int();
      }
    }
    std::int64_t repeat = 1;
    if (const Value* r = doc.find("repeat")) repeat = std::clamp<std::int64_t>(r->as_int(1), 1, 1000);
    std::int64_t sum = 0;
    std::int64_t last = 0;
    std::int64_t nonzero = 0;
    for (std::int64_t i = 0; i < repeat; ++i) {
      if (i_slot >= 0) slots[static_cast<std::size_t>(i_slot)] = i;
      RunResult r = run_program(*program, slots);
      if (!r.ok) return error_response(res, 422, r.error);
      last = r.value;
      sum = static_cast<std::int64_t>(static_cast<std::uint64_t>(sum) +
                                      static_cast<std::uint64_t>(r.value));
      nonzero += r.value != 0;
    }
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("result"); w.integer(last);
    w.key("sum"); w.integer(sum);
    w.key("nonzero"); w.integer(nonzero);
    w.key("runs"); w.integer(repeat);
    w.key("expr"); w.string(expr->text);
    w.end_object();
  }

 private:
  AppState& s_;
};

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive substring search; returns the offset of the first match or npos.
std::size_t find_folded(std::string_view text, std::string_view word) {
  if (word.size() > text.size()) return std::string_view::npos;
  const char first = fold(word[0]);
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (fold(text[i]) != first) continue;
    std::size_t k = 1;
    while (k < word.size() && fold(text[i + k]) == fold(word[k])) ++k;
    if (k == word.size()) return i;
  }
  return std::string_view::npos;
}

class SearchHandler final : public Handler {
 public:
  explicit SearchHandler(AppState& s) : s_(s) {}
  std::string_view name() const override { return "search"; }
  void handle(const Request& req, const Params&, Response& res) override {
    std::string q = percent_decode(req.query_param("q"));
    if (q.empty()) return error_response(res, 400, "missing query parameter 'q'");
    std::int64_t limit = std::clamp<std::int64_t>(to_int(req.query_param("limit"), 10), 1, 50);
    StringSink sink(res.body);
    JsonWriter w(sink);
    w.begin_object();
    w.key("q"); w.string(q);
    w.key("hits");
    w.begin_array();
    std::int64_t found = 0;
    for (std::size_t id = 0; id < s_.catalog.size(); ++id) {
      const std::string& item = s_.catalog[id];
      std::size_t at = find_folded(item, q);
      if (at == std::string::npos) continue;
      if (++found > limit) continue;
      w.begin_object();
      w.key("id"); w.integer(static_cast<std::int64_t>(id));
      w.key("name"); w.string(item);
      w.key("score"); w.integer(static_cast<std::int64_t>(100 - at));
      w.end_object();
    }
    w.end_array();
    w.key("total"); w.integer(found);
    w.end_object();
  }

 private:
  AppState& s_;
};

}  // namespace

void register_api_routes(Router& router, AppState& state) {
  router.add(Method::Get, "/api/v1/search", std::make_shared<SearchHandler>(state));
  router.add(Method::Post, "/api/v1/stats", make_stats_handler());
  router.add(Method::Post, "/api/v1/eval", std::make_shared<EvalHandler>(state));
  router.add(Method::Get, "/api/v1/users/:id/orders", std::make_shared<OrdersHandler>(state));
  router.add(Method::Get, "/api/v1/users/:id", std::make_shared<UserHandler>(state));
}

}  // namespace svc
