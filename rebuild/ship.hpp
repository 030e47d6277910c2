// SPDX-License-Identifier: Apache-2.0
// What a rebuild ships besides the profile once the gate approved the PGO build, so a deploy
// step can take exactly that build: the binary into the store (publish.binary) and the image
// to a registry (publish.image).
#pragma once

#include <filesystem>
#include <string>

#include <utility>
#include <vector>

#include "core/result.hpp"
#include "rebuild/publish.hpp"
#include "rebuild/rebuild_config.hpp"
#include "rebuild/stages.hpp"

namespace pgopipe::rebuild {

// The PGO build's binary to upload: publish.binary as a path relative to the variant's build
// directory, or (publish.binary: true) the benchmark command's program when it is
// "{build_dir}/...". A missing file or an unresolvable program is a Config error.
Result<std::filesystem::path> published_binary(const RebuildConfig& config,
                                               const std::filesystem::path& pgo_build_dir);

// Tags the local image `local` as `target` (publish.image, e.g. registry:5000/app:pgo) and
// pushes it with the configured docker client; a failure is a Tool error.
Result<void> push_image(const RebuildConfig& config, const std::string& local,
                        const std::string& target);

// Ships the approved PGO build as configured: pushes its image (recorded in the manifest) and
// adds its binary to `uploads` under <dir_key>/bin/ (key and sha256 in the manifest).
Result<void> ship_build(const RebuildConfig& config, const BuiltVariant& pgo, const std::string& dir_key,
                        PublishedManifest& manifest,
                        std::vector<std::pair<std::filesystem::path, std::string>>& uploads);

}  // namespace pgopipe::rebuild
