// SPDX-License-Identifier: Apache-2.0
// Routes "METHOD /pattern/:param/*rest" to Handler objects.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http.hpp"

namespace svc {

struct Params {
  std::vector<std::pair<std::string_view, std::string_view>> values;
  // Returns the captured value of :name (or *name), or an empty view.
  std::string_view get(std::string_view name) const;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Fills res for req; params hold the captured path segments.
  virtual void handle(const Request& req, const Params& params, Response& res) = 0;
  // A short name used in metrics.
  virtual std::string_view name() const = 0;
};

class Router {
 public:
  // Registers handler for method and pattern; earlier routes win on ties.
  void add(Method method, std::string_view pattern, std::shared_ptr<Handler> handler);
  // Finds the handler for req and fills params; nullptr when nothing matches. Sets
  // path_matched when some route matched the path with another method (405 vs 404).
  Handler* match(const Request& req, Params& params, bool& path_matched) const;
  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    enum class Kind : unsigned char { Literal, Param, Rest } kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    Method method;
    std::vector<Segment> segments;
    std::shared_ptr<Handler> handler;
  };
  static bool match_route(const Route& route, std::string_view path, Params& params);
  std::vector<Route> routes_;
};

}  // namespace svc
