// SPDX-License-Identifier: Apache-2.0
#include "core/store/local_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/names.hpp"
#include "core/store/key_layout.hpp"

namespace pgopipe::store {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kMetaSuffix = ".meta.json";

Error fs_error(std::string_view action, const fs::path& p, const std::error_code& ec) {
  return make_error(ErrorCode::Io, "{} {}: {}", action, p.string(), ec.message());
}

class LocalStore final : public Store {
 public:
  LocalStore(fs::path root, unsigned file_mode)
      : root_(std::move(root)), file_mode_(file_mode), dir_mode_(dir_mode_for(file_mode)) {}

  Result<std::string> put(const ProfileMeta& meta_in, std::string_view bytes) override {
    ProfileMeta meta = meta_in;
    PGO_TRY(complete_meta(meta, bytes));
    std::string key = object_key(meta, random_hex(8));
    fs::path path = root_ / key;
    std::error_code ec;
    PGO_TRY(make_dirs(path.parent_path(), dir_mode_));
    if (fs::exists(path)) return make_error(ErrorCode::Store, "key {} already exists", key);
    PGO_TRY(write_file_atomic(path, bytes, file_mode_));
    auto meta_written = write_file_atomic(meta_path(path), to_json(meta).dump(2) + "\n", file_mode_);
    if (!meta_written) {
      fs::remove(path, ec);  // never leave an object without its metadata
      return meta_written.error();
    }
    return key;
  }

  Result<void> put_at(std::string_view key, const ProfileMeta& meta_in, std::string_view bytes) override {
    PGO_TRY(validate_key(key));
    ProfileMeta meta = meta_in;
    PGO_TRY(complete_meta(meta, bytes));
    fs::path path = root_ / key;
    PGO_TRY(make_dirs(path.parent_path(), dir_mode_));
    std::error_code ec;
    fs::remove(meta_path(path), ec);  // never list the old metadata beside the new bytes
    PGO_TRY(write_file_atomic(path, bytes, file_mode_));
    return write_file_atomic(meta_path(path), to_json(meta).dump(2) + "\n", file_mode_);
  }

  using Store::list;
  Result<std::vector<StoredObject>> list(const Query& q, std::vector<DamagedObject>* damaged) override {
    PGO_TRY(validate_app(q.app));
    std::vector<StoredObject> out;
    for (const auto& prefix : partition_prefixes(q.app, q.window)) {
      fs::path dir = root_ / prefix;
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) continue;
      for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!it->is_regular_file() || !name.ends_with(kMetaSuffix) || name.front() == '.') continue;
        std::string key = key_of(it->path());
        key.resize(key.size() - kMetaSuffix.size());
        auto parsed = parse_object_key(key);
        if (!parsed || !q.window.contains(parsed->collected_at)) continue;
        auto meta = read_meta(key);
        if (!meta && meta.error().code == ErrorCode::NotFound) continue;  // removed meanwhile
        if (!meta) {
          note_damaged(damaged, key, meta.error().message);
          continue;
        }
        if (matches(q, *meta)) out.push_back({key, std::move(*meta)});
      }
      if (ec) return fs_error("cannot list", dir, ec);
    }
    std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
      return std::tie(a.meta.collected_at, a.key) < std::tie(b.meta.collected_at, b.key);
    });
    return out;
  }

  Result<Blob> get(std::string_view key) override {
    PGO_TRY(validate_key(key));
    PGO_TRY_ASSIGN(ProfileMeta meta, read_meta(key));
    auto bytes = read_file(root_ / key);
    if (!bytes) return make_error(ErrorCode::NotFound, "object {} is missing from {}", key, describe());
    std::string digest = sha256_hex(*bytes);
    if (digest != meta.sha256) {
      return make_error(ErrorCode::Integrity,
                        "object {} is corrupt: sha256 {} does not match its metadata ({})", key,
                        digest, meta.sha256);
    }
    return Blob{std::move(meta), std::move(*bytes)};
  }

  Result<void> remove(std::string_view key) override {
    PGO_TRY(validate_key(key));
    fs::path path = root_ / key;
    std::error_code ec;
    fs::remove(meta_path(path), ec);  // metadata first: the object stops being listed at once
    if (ec) return fs_error("cannot remove", meta_path(path), ec);
    fs::remove(path, ec);
    if (ec) return fs_error("cannot remove", path, ec);
    return success();
  }

  Result<void> put_raw(std::string_view key, std::string_view bytes, bool exclusive) override {
    PGO_TRY(validate_key(key));
    fs::path path = root_ / key;
    PGO_TRY(make_dirs(path.parent_path(), dir_mode_));
    if (!exclusive) return write_file_atomic(path, bytes, file_mode_);
    PGO_TRY_ASSIGN(AtomicFile file, AtomicFile::create(path, file_mode_));
    PGO_TRY(file.write(bytes));
    // link() fails if the key exists: an exclusive create that is still atomic.
    if (::link(file.temp_path().c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) return make_error(ErrorCode::Store, "key {} already exists", key);
      return make_error(ErrorCode::Io, "cannot create {}: {}", path.string(), std::strerror(errno));
    }
    return success();  // the temp file is removed by AtomicFile's destructor
  }

  Result<std::string> get_raw(std::string_view key) override {
    PGO_TRY(validate_key(key));
    fs::path path = root_ / key;
    if (!fs::exists(path)) return make_error(ErrorCode::NotFound, "no object {} in {}", key, describe());
    return read_file(path);
  }

  Result<std::vector<std::string>> list_raw(std::string_view prefix) override {
    std::vector<std::string> out;
    std::string p(prefix);
    fs::path dir = root_ / p.substr(0, p.rfind('/') == std::string::npos ? 0 : p.rfind('/'));
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      std::string name = it->path().filename().string();
      // Metadata sidecars belong to their object; they are not keys of their own.
      if (!it->is_regular_file() || name.front() == '.' || name.ends_with(kMetaSuffix)) continue;
      std::string key = key_of(it->path());
      if (key.starts_with(p)) out.push_back(key);
    }
    if (ec) return fs_error("cannot list", dir, ec);
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<void> remove_raw(std::string_view key) override {
    PGO_TRY(validate_key(key));
    std::error_code ec;
    fs::remove(root_ / key, ec);
    if (ec) return fs_error("cannot remove", root_ / key, ec);
    return success();
  }

  [[nodiscard]] std::string describe() const override { return "file://" + root_.string(); }

 private:
  // The key of a path found under the root by a directory walk (which only appends to the
  // root, so no symlink resolution is needed: fs::relative would readlink every component).
  std::string key_of(const fs::path& found) const {
    const std::string& root = root_.native();
    return found.native().substr(root.size() + (root.ends_with('/') ? 0 : 1));
  }

  static fs::path meta_path(const fs::path& object) {
    return fs::path(object.string() + std::string(kMetaSuffix));
  }

  Result<ProfileMeta> read_meta(std::string_view key) {
    fs::path path = meta_path(root_ / key);
    auto text = read_file(path, 1 << 20);
    if (!text) return make_error(ErrorCode::NotFound, "no object {} in {}", key, describe());
    auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      return make_error(ErrorCode::Integrity, "{}: metadata is not valid JSON", path.string());
    }
    return meta_from_json(json, path.string());
  }

  fs::path root_;
  unsigned file_mode_;
  unsigned dir_mode_;
};

}  // namespace

Result<std::unique_ptr<Store>> make_local_store(const fs::path& root, const StoreOptions& options) {
  std::error_code ec;
  const fs::path abs = fs::absolute(root, ec).lexically_normal();
  if (ec) return fs_error("cannot resolve", root, ec);
  if (!fs::is_directory(abs, ec)) {
    if (!options.create) {
      return make_error(ErrorCode::Store,
                        "the local store {} does not exist (pgopipe push and the collectors create it)",
                        abs.string());
    }
    auto made = make_dirs(abs, dir_mode_for(options.file_mode));
    if (!made) return made.error().context("creating the store directory");
    if (options.on_create) options.on_create(abs);
  }
  return std::unique_ptr<Store>(
      std::make_unique<LocalStore>(abs, options.file_mode));
}

}  // namespace pgopipe::store
