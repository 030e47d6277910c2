// SPDX-License-Identifier: Apache-2.0
// The environment for the tools pgopipe starts (perf, llvm-profgen, compilers): this process's
// environment without credentials or other secrets (scrubbed_environment in core/redact.hpp).
#pragma once

#include <boost/process/environment.hpp>

#include "core/config.hpp"
#include "core/redact.hpp"

namespace pgopipe {

// This process's environment, scrubbed of secrets, as Boost.Process hands it to a child.
inline boost::process::environment tool_environment() {
  boost::process::environment env;
  for (const auto& [key, value] : scrubbed_environment(process_environment())) env[key] = value;
  return env;
}

}  // namespace pgopipe
