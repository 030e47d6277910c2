// SPDX-License-Identifier: Apache-2.0
#include "core/store/store.hpp"

#include <spdlog/spdlog.h>

#include "core/digest.hpp"

namespace pgopipe::store {

bool matches(const Query& q, const ProfileMeta& meta) {
  if (meta.app != q.app || !q.window.contains(meta.collected_at)) return false;
  if (q.family && meta.family() != *q.family) return false;
  if (!q.build_id.empty() && meta.build_id != q.build_id) return false;
  for (const auto& [k, v] : q.labels) {
    auto it = meta.labels.find(k);
    if (it == meta.labels.end() || it->second != v) return false;
  }
  return true;
}

Result<void> complete_meta(ProfileMeta& meta, std::string_view bytes) {
  std::string digest = sha256_hex(bytes);
  if (!meta.sha256.empty() && meta.sha256 != digest) {
    return make_error(ErrorCode::Integrity, "sha256 of the bytes ({}) does not match the given {}",
                      digest, meta.sha256);
  }
  meta.sha256 = digest;
  meta.size = bytes.size();
  if (meta.format == ProfileFormat::Unknown) {
    meta.format = detect_format(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  return validate(meta);
}

void note_damaged(std::vector<DamagedObject>* damaged, std::string_view key, std::string_view problem) {
  spdlog::warn("skipping damaged object {}: {}", key, problem);
  if (damaged != nullptr) damaged->push_back({std::string(key), std::string(problem)});
}

bool valid_s3_region(std::string_view region) {
  return !region.empty() && region.size() <= 32 &&
         region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

}  // namespace pgopipe::store
