// SPDX-License-Identifier: Apache-2.0
// fault_proxy.py in front of a test server: relays HTTP requests and injects the faults
// its rules ask for (503 bursts, resets mid-body in either direction, truncated responses,
// stalls, slow drip). Rules change at any time while clients use the proxy.
//
//   FaultProxy proxy(server->port());
//   ASSERT_TRUE(proxy.error().empty()) << proxy.error();
//   proxy.set_rules(R"([{"fault": "status", "status": 503, "count": 3}])");
//   ... pgopipe --s3-endpoint proxy.endpoint() ...
//   int injected = proxy.stats()["faults"];
#pragma once

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace pgopipe::test {

class FaultProxy {
 public:
  // Starts the proxy for 127.0.0.1:`target_port`, relaying everything until rules are set.
  explicit FaultProxy(int target_port);
  ~FaultProxy();  // stops the proxy
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // "http://127.0.0.1:PORT", or "" if the proxy did not start (see error()).
  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }
  [[nodiscard]] const std::string& error() const { return error_; }

  // Replaces the fault rules (a JSON list, see fault_proxy.py) and zeroes the counters;
  // false if the proxy rejected them.
  bool set_rules(const std::string& rules_json);

  // {"requests": N, "faults": N, "by_rule": [...]} since the last set_rules().
  nlohmann::json stats();

 private:
  std::string command(const std::string& line);
  boost::process::opstream in_;
  boost::process::ipstream out_;
  boost::process::child child_;
  std::string endpoint_, error_;
};

}  // namespace pgopipe::test
