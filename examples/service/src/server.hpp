// SPDX-License-Identifier: Apache-2.0
// The request pipeline: parse, route, handle, serialize.
#pragma once

#include <string>
#include <string_view>

#include "http.hpp"
#include "router.hpp"
#include "state.hpp"

namespace svc {

class Server {
 public:
  Server();
  // Handles one raw request and writes the raw response into out.
  void handle(std::string_view raw, std::string& out);
  const AppState& state() const { return state_; }

 private:
  AppState state_;
  Router router_;
  Request req_;
  Params params_;
  Response res_;
  std::string error_;
};

}  // namespace svc
