// SPDX-License-Identifier: Apache-2.0
#include "core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "core/terminal.hpp"

namespace pgopipe {
namespace {

// The message with control characters escaped (newlines and tabs kept): messages quote
// symbol names, keys and server answers, which must not drive the terminal.
class SafePayload final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string safe = terminal_safe(std::string_view(msg.payload.data(), msg.payload.size()), true);
    dest.append(safe.data(), safe.data() + safe.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafePayload>();
  }
};

}  // namespace

Result<void> init_logging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return make_error(ErrorCode::Config,
                      "log level '{}' is not one of trace, debug, info, warn, error, off", level);
  }
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("pgopipe");
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SafePayload>('*').set_pattern("%^%l%$ %*");
    l->set_formatter(std::move(formatter));
    spdlog::set_default_logger(l);
    return l;
  }();
  logger->set_level(parsed);
  return success();
}

}  // namespace pgopipe
