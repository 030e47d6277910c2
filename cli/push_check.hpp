// SPDX-License-Identifier: Apache-2.0
// What `pgopipe push` checks before it stores a file: that it is a profile that parses, the
// build ID its bytes name, and whether the same bytes are already in the object's hour.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "core/metadata.hpp"
#include "core/result.hpp"
#include "core/store/store.hpp"

namespace pgopipe::cli {

struct ProfileFacts {
  ProfileFormat format = ProfileFormat::Unknown;
  std::string build_id;  // hex GNU build ID named by the bytes; empty when they name none (or several)
};

// Detects and parses `bytes` (the file `file`); an Input error names the file when it is not a
// profile, unless `allow_unknown` (then format Unknown, no build ID).
Result<ProfileFacts> inspect_profile(const std::filesystem::path& file, std::string_view bytes,
                                     const InputLimits& limits, bool allow_unknown);

// The objects of `meta.app` in the hour partition of `meta.collected_at`, by sha256: digest -> key.
Result<std::map<std::string, std::string>> hour_digests(store::Store& store, const ProfileMeta& meta);

}  // namespace pgopipe::cli
