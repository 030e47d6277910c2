// SPDX-License-Identifier: Apache-2.0
#include "rebuild/ship.hpp"

#include <spdlog/spdlog.h>

#include "core/process.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"

namespace pgopipe::rebuild {

namespace fs = std::filesystem;

Result<fs::path> published_binary(const RebuildConfig& config, const fs::path& pgo_build_dir) {
  std::string relative = config.publish_binary;
  if (relative == "true" && config.build_kind == "go") {
    relative = config.app;  // build_variant's output
  } else if (relative == "true") {
    const std::string& program = config.bench_command.front();
    constexpr std::string_view kPrefix = "{build_dir}/";
    if (!program.starts_with(kPrefix)) {
      return make_error(ErrorCode::Config,
                        "publish.binary: true needs benchmark.command to run \"{{build_dir}}/...\" "
                        "(it runs '{}'); give the binary's path in the build directory instead",
                        program);
    }
    relative = program.substr(kPrefix.size());
  }
  fs::path binary = (pgo_build_dir / relative).lexically_normal();
  std::error_code ec;
  if (!fs::is_regular_file(binary, ec)) {
    return make_error(ErrorCode::Config, "publish.binary: {} is not a file in the PGO build",
                      binary.string());
  }
  return binary;
}

Result<void> push_image(const RebuildConfig& config, const std::string& local,
                        const std::string& target) {
  PGO_TRY(run_process({config.docker, "tag", local, target}));
  return run_process({config.docker, "push", target});
}

Result<void> ship_build(const RebuildConfig& config, const BuiltVariant& pgo, const std::string& dir_key,
                        PublishedManifest& manifest,
                        std::vector<std::pair<fs::path, std::string>>& uploads) {
  if (!config.publish_binary.empty()) {
    PGO_TRY_ASSIGN(fs::path binary, published_binary(config, pgo.dir));
    PGO_TRY_ASSIGN(std::string bytes, read_file(binary));
    manifest.binary_key = fmt::format("{}/bin/{}", dir_key, binary.filename().string());
    manifest.binary_sha256 = sha256_hex(bytes);
    uploads.emplace_back(binary, manifest.binary_key);
  }
  if (!config.publish_image.empty()) {
    PGO_TRY(push_image(config, pgo.image, config.publish_image));
    manifest.image = config.publish_image;
    spdlog::info("pushed {} as {}", pgo.image, config.publish_image);
  }
  return success();
}

}  // namespace pgopipe::rebuild
