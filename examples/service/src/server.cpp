// SPDX-License-Identifier: Apache-2.0
#include "server.hpp"

#include "handlers.hpp"

namespace svc {

Server::Server() {
  state_.populate();
  register_misc_routes(router_, state_);
  register_api_routes(router_, state_);
}

void Server::handle(std::string_view raw, std::string& out) {
  res_.reset();
  if (!parse_request(raw, req_, error_)) {
    state_.count("bad_request");
    error_response(res_, 400, error_);
  } else {
    bool path_matched = false;
    Handler* handler = router_.match(req_, params_, path_matched);
    if (handler == nullptr) {
      state_.count(path_matched ? "method_not_allowed" : "not_found");
      error_response(res_, path_matched ? 405 : 404,
                     path_matched ? "method not allowed" : "no route for path");
    } else {
      state_.count(handler->name());
      handler->handle(req_, params_, res_);
    }
  }
  if (!req_.keep_alive) res_.headers.emplace_back("Connection", "close");
  serialize_response(res_, out);
}

}  // namespace svc
