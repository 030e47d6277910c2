// SPDX-License-Identifier: Apache-2.0
// Local file helpers: whole-file reads with limits and atomic writes (temp + fsync + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

// Reads a whole file; files larger than `max_bytes` are an Input error naming the path.
Result<std::string> read_file(const std::filesystem::path& path,
                              uint64_t max_bytes = uint64_t{4} << 30);

// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename,
// fsync of the directory. On failure nothing is left at `path` or in the temp file.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// A temp file next to a final path that is removed unless commit() renames it into place.
class AtomicFile {
 public:
  // Opens "<dir>/.<name>.tmp-<random>" for writing.
  static Result<AtomicFile> create(const std::filesystem::path& final_path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  // Appends bytes; errors name the final path (ENOSPC becomes a clear "disk full").
  Result<void> write(std::string_view bytes);
  // fsyncs, renames over the final path and fsyncs the directory.
  Result<void> commit();
  [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFile(std::filesystem::path final_path, std::filesystem::path temp, int fd);
  std::filesystem::path final_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// A fresh directory "<system temp dir>/<prefix>-<random>", removed with its contents when the
// object goes; a failure to create it shows as an error on the first write into it.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // The directory's path.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A random lower-case hex string of `bytes` random bytes (for unique names).
std::string random_hex(size_t bytes);

// The machine's host name, reduced to [A-Za-z0-9.-_] for use in keys.
std::string host_name();

}  // namespace pgopipe
