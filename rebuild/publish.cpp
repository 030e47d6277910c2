// SPDX-License-Identifier: Apache-2.0
#include "rebuild/publish.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/digest.hpp"
#include "core/fs.hpp"

namespace pgopipe::rebuild {

std::string manifest_key(std::string_view app) { return fmt::format("{}/published/manifest.json", app); }

std::string published_dir_key(std::string_view app, TimePoint at, std::string_view sha256) {
  return fmt::format("{}/published/{}-{}", app, format_compact(at), sha256.substr(0, 12));
}

Result<std::optional<PublishedManifest>> read_manifest(store::Store& store, std::string_view app) {
  const std::string key = manifest_key(app);
  auto body = store.get_raw(key);
  if (!body) {
    if (body.error().code == ErrorCode::NotFound) return std::optional<PublishedManifest>{};
    return body.error();
  }
  try {
    auto j = nlohmann::json::parse(*body);
    PublishedManifest m;
    m.app = j.at("app").get<std::string>();
    m.profile_key = j.at("profile_key").get<std::string>();
    m.profile_sha256 = j.at("profile_sha256").get<std::string>();
    m.profile_kind = j.value("profile_kind", "");
    m.window_since = j.value("window_since", "");
    m.window_until = j.value("window_until", "");
    m.profiles_merged = j.value("profiles_merged", size_t{0});
    m.speedup = j.value("speedup", 0.0);
    m.speedup_low = j.value("speedup_low", 0.0);
    m.speedup_high = j.value("speedup_high", 0.0);
    m.published_at = j.value("published_at", "");
    m.files = j.value("files", std::vector<std::string>{});
    m.binary_key = j.value("binary_key", "");
    m.binary_sha256 = j.value("binary_sha256", "");
    m.image = j.value("image", "");
    return std::optional<PublishedManifest>{std::move(m)};
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::Integrity, "published manifest {} in {} is not valid: {}", key,
                      store.describe(), e.what());
  }
}

Result<std::string> fetch_published_profile(store::Store& store, const PublishedManifest& m) {
  PGO_TRY_ASSIGN(std::string bytes, store.get_raw(m.profile_key));
  std::string digest = sha256_hex(bytes);
  if (digest != m.profile_sha256) {
    return make_error(ErrorCode::Integrity,
                      "published profile {} has sha256 {} but its manifest says {}", m.profile_key,
                      digest, m.profile_sha256);
  }
  return bytes;
}

Result<void> publish(store::Store& store, const PublishedManifest& m, const std::filesystem::path& profile,
                     const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                     const std::function<Result<void>()>& fence) {
  auto fenced = [&] { return fence ? fence() : success(); };
  PGO_TRY_ASSIGN(std::string bytes, read_file(profile));
  if (sha256_hex(bytes) != m.profile_sha256) {
    return make_error(ErrorCode::Integrity, "{} changed while publishing (sha256 differs)",
                      profile.string());
  }
  PGO_TRY(fenced());
  PGO_TRY(store.put_raw(m.profile_key, bytes, /*exclusive=*/false));
  for (const auto& [path, key] : files) {
    PGO_TRY_ASSIGN(std::string content, read_file(path));
    PGO_TRY(fenced());
    PGO_TRY(store.put_raw(key, content, /*exclusive=*/false));
  }
  nlohmann::json j{{"app", m.app},
                   {"profile_key", m.profile_key},
                   {"profile_sha256", m.profile_sha256},
                   {"profile_kind", m.profile_kind},
                   {"window_since", m.window_since},
                   {"window_until", m.window_until},
                   {"profiles_merged", m.profiles_merged},
                   {"speedup", m.speedup},
                   {"speedup_low", m.speedup_low},
                   {"speedup_high", m.speedup_high},
                   {"published_at", m.published_at},
                   {"files", m.files}};
  if (!m.binary_key.empty()) {
    j["binary_key"] = m.binary_key;
    j["binary_sha256"] = m.binary_sha256;
  }
  if (!m.image.empty()) j["image"] = m.image;
  // Last: until this put succeeds, readers still see the previous manifest.
  PGO_TRY(fenced());
  PGO_TRY(store.put_raw(manifest_key(m.app), j.dump(2) + "\n", /*exclusive=*/false));
  spdlog::info("published {} ({}) and {} report file(s); manifest {}", m.profile_key,
               m.profile_sha256.substr(0, 12), files.size(), manifest_key(m.app));
  return success();
}

}  // namespace pgopipe::rebuild
