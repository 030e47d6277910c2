// SPDX-License-Identifier: Apache-2.0
#include "router.hpp"

namespace svc {

std::string_view Params::get(std::string_view name) const {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  return {};
}

void Router::add(Method method, std::string_view pattern, std::shared_ptr<Handler> handler) {
  Route route{method, {}, std::move(handler)};
  while (!pattern.empty()) {
    if (pattern.front() == '/') {
      pattern.remove_prefix(1);
      continue;
    }
    std::size_t slash = pattern.find('/');
    std::string_view seg = pattern.substr(0, slash);
    pattern.remove_prefix(slash == std::string_view::npos ? pattern.size() : slash);
    if (seg.front() == ':') {
      route.segments.push_back({Segment::Kind::Param, std::string(seg.substr(1))});
    } else if (seg.front() == '*') {
      route.segments.push_back({Segment::Kind::Rest, std::string(seg.substr(1))});
    } else {
      route.segments.push_back({Segment::Kind::Literal, std::string(seg)});
    }
  }
  routes_.push_back(std::move(route));
}

bool Router::match_route(const Route& route, std::string_view path, Params& params) {
  params.values.clear();
  std::size_t pos = 0;
  for (const Segment& seg : route.segments) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (seg.kind == Segment::Kind::Rest) {
      params.values.emplace_back(seg.text, path.substr(pos));
      return true;
    }
    if (pos >= path.size()) return false;
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    if (seg.kind == Segment::Kind::Literal) {
      if (part != seg.text) return false;
    } else {
      params.values.emplace_back(seg.text, part);
    }
    pos = end;
  }
  while (pos < path.size() && path[pos] == '/') ++pos;
  return pos == path.size();
}

Handler* Router::match(const Request& req, Params& params, bool& path_matched) const {
  path_matched = false;
  for (const Route& route : routes_) {
    if (!match_route(route, req.path, params)) continue;
    if (route.method == req.method ||
        (req.method == Method::Head && route.method == Method::Get)) {
      return route.handler.get();
    }
    path_matched = true;
  }
  params.values.clear();
  return nullptr;
}

}  // namespace svc
