// SPDX-License-Identifier: Apache-2.0
#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace pgopipe {

Result<void> init_logging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return make_error(ErrorCode::Config,
                      "log level '{}' is not one of trace, debug, info, warn, error, off", level);
  }
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("pgopipe");
    l->set_pattern("%^%l%$ %v");
    spdlog::set_default_logger(l);
    return l;
  }();
  logger->set_level(parsed);
  return success();
}

}  // namespace pgopipe
