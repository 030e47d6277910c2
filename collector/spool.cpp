// SPDX-License-Identifier: Apache-2.0
#include "collector/spool.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/fs.hpp"

namespace pgopipe::collector {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kMeta = ".meta.json";
constexpr std::string_view kPayload = ".prof";

}  // namespace

// The spool holds profiles that get uploaded: only its owner may write there (an entry
// planted by another user would be uploaded as this service's profile).
Result<void> Spool::check_dir() const {
  auto own = check_own_dir(dir_);
  if (own) own = check_own_dir(dir_.parent_path(), /*parent=*/true);
  if (!own) return own.error().context("the spool");
  return success();
}

Result<uint64_t> Spool::add(const std::string& name, const ProfileMeta& meta,
                            std::string_view bytes) {
  std::error_code ec;
  PGO_TRY(make_dirs(dir_, 0700));
  PGO_TRY(check_dir());
  // Labels are validated UTF-8; replacing (not throwing) keeps a bad byte from ever
  // escaping as an exception into the host process.
  std::string meta_text =
      to_json(meta).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  uint64_t need = bytes.size() + meta_text.size();
  uint64_t dropped = 0;
  if (need > max_) {
    ++dropped_;
    return uint64_t{1};
  }
  PGO_TRY_ASSIGN(auto list, entries());
  uint64_t used = 0;
  for (const auto& e : list) used += e.bytes;
  for (const auto& e : list) {
    if (used + need <= max_) break;
    PGO_TRY(remove(e));
    used -= e.bytes;
    ++dropped;
  }
  dropped_ += dropped;
  PGO_TRY(write_file_atomic(dir_ / (name + std::string(kPayload)), bytes, 0600));
  auto written = write_file_atomic(dir_ / (name + std::string(kMeta)), meta_text, 0600);
  if (!written) {
    fs::remove(dir_ / (name + std::string(kPayload)), ec);
    return written.error();
  }
  return dropped;
}

Result<std::vector<SpoolEntry>> Spool::entries() const {
  std::vector<SpoolEntry> out;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir_, ec))) return out;
  PGO_TRY(check_dir());
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string file = it->path().filename().string();
    if (file.front() == '.' || !file.ends_with(kMeta)) continue;
    SpoolEntry e{file.substr(0, file.size() - kMeta.size()), 0};
    std::error_code size_ec;
    e.bytes = fs::file_size(it->path(), size_ec);
    e.bytes += fs::file_size(dir_ / (e.name + std::string(kPayload)), size_ec);
    out.push_back(std::move(e));
  }
  if (ec) return make_error(ErrorCode::Io, "cannot list spool {}: {}", dir_.string(), ec.message());
  std::sort(out.begin(), out.end(),
            [](const SpoolEntry& a, const SpoolEntry& b) { return a.name < b.name; });
  return out;
}

Result<std::pair<ProfileMeta, std::string>> Spool::read(const SpoolEntry& e) const {
  fs::path meta_path = dir_ / (e.name + std::string(kMeta));
  PGO_TRY_ASSIGN(std::string text, read_file(meta_path, 1 << 20));
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return make_error(ErrorCode::Integrity, "{}: spool metadata is not valid JSON",
                      meta_path.string());
  }
  PGO_TRY_ASSIGN(ProfileMeta meta, meta_from_json(json, meta_path.string()));
  PGO_TRY_ASSIGN(std::string bytes, read_file(dir_ / (e.name + std::string(kPayload))));
  return std::pair{std::move(meta), std::move(bytes)};
}

Result<void> Spool::remove(const SpoolEntry& e) {
  std::error_code ec;
  for (auto suffix : {kMeta, kPayload}) {
    fs::path p = dir_ / (e.name + std::string(suffix));
    fs::remove(p, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot remove spool file {}: {}", p.string(), ec.message());
  }
  return success();
}

std::filesystem::path default_spool_dir(const std::string& app) {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') {
    return std::filesystem::path(xdg) / "pgopipe" / "spool" / app;
  }
  if (const char* home = std::getenv("HOME"); home && *home == '/') {
    return std::filesystem::path(home) / ".cache" / "pgopipe" / "spool" / app;
  }
  // Predictable, so Spool checks its owner and mode before every use.
  return system_temp_dir() / fmt::format("pgopipe-spool-{}", ::getuid()) / app;
}

}  // namespace pgopipe::collector
