// SPDX-License-Identifier: Apache-2.0
// The service's endpoints.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http.hpp"
#include "router.hpp"
#include "state.hpp"

namespace svc {

// Registers the API routes (users, orders, eval, stats, search).
void register_api_routes(Router& router, AppState& state);
// Registers the key-value, static, health, metrics and admin routes.
void register_misc_routes(Router& router, AppState& state);

// The POST /api/v1/stats endpoint.
std::shared_ptr<Handler> make_stats_handler();

// Fills res with a JSON error document.
void error_response(Response& res, int status, std::string_view message);
// Decodes %XX and '+' in a query value.
std::string percent_decode(std::string_view s);
// Parses a decimal integer; returns fallback on any error.
std::int64_t to_int(std::string_view s, std::int64_t fallback);

}  // namespace svc
