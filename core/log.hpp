// SPDX-License-Identifier: Apache-2.0
// Logging: spdlog to stderr. Data goes to stdout, never through the logger.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

// Sets up the stderr logger at `level` (trace, debug, info, warn, error, off).
Result<void> init_logging(std::string_view level);

}  // namespace pgopipe
