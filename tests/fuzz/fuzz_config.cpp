// SPDX-License-Identifier: Apache-2.0
// The config file is user-written YAML.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("pgopipe-fuzz-config-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  pgopipe::ConfigSources sources;
  sources.file = path;
  auto config = pgopipe::load_config(sources);
  std::error_code ignored;
  std::filesystem::remove(path, ignored);  // one run leaves no file behind in the temp directory
  if (!config && config.error().message.empty()) __builtin_trap();  // errors must say something
  return 0;
}
