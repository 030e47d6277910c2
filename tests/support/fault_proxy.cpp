// SPDX-License-Identifier: Apache-2.0
#include "tests/support/fault_proxy.hpp"

#include "tests/support/s3_server.hpp"

namespace pgopipe::test {

namespace bp = boost::process;

FaultProxy::FaultProxy(int target_port) {
  auto python = test_python();
  if (!python) {
    error_ = python.error().message;
    return;
  }
  try {
    child_ = bp::child(bp::exe = *python,
                       bp::args = {support_script("fault_proxy.py").string(),
                                   std::to_string(target_port)},
                       bp::std_in < in_, bp::std_out > out_);
  } catch (const std::exception& e) {
    error_ = std::string("cannot start fault_proxy.py: ") + e.what();
    return;
  }
  std::string port;
  if (std::getline(out_, port) && !port.empty()) {
    endpoint_ = "http://127.0.0.1:" + port;
  } else {
    error_ = "fault_proxy.py did not start";
  }
}

FaultProxy::~FaultProxy() {
  in_.pipe().close();
  std::error_code ec;
  if (child_.valid() && !child_.wait_for(std::chrono::seconds(5), ec)) child_.terminate(ec);
}

std::string FaultProxy::command(const std::string& line) {
  in_ << line << std::endl;
  std::string answer;
  std::getline(out_, answer);
  return answer;
}

bool FaultProxy::set_rules(const std::string& rules_json) {
  std::string compact = nlohmann::json::parse(rules_json).dump();  // one line
  return command("rules " + compact) == "ok";
}

nlohmann::json FaultProxy::stats() {
  auto parsed = nlohmann::json::parse(command("stats"), nullptr, false);
  return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

}  // namespace pgopipe::test
