// SPDX-License-Identifier: Apache-2.0
// Local file helpers: whole-file reads with limits and atomic writes (temp + fsync + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

// Reads a whole file; files larger than `max_bytes` are an Input error naming the path.
Result<std::string> read_file(const std::filesystem::path& path,
                              uint64_t max_bytes = uint64_t{4} << 30);

// Permission bits for new files; unset: 0644 less the umask (ordinary outputs). Stores and
// the spool pass an exact mode (default 0600) so profiles are not readable by other users.
using FileMode = std::optional<unsigned>;

// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename,
// fsync of the directory. On failure nothing is left at `path` or in the temp file.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                               FileMode mode = {});

// The directory mode that goes with a file mode: each read bit also grants search (0600 ->
// 0700, 0640 -> 0750).
unsigned dir_mode_for(unsigned file_mode);

// Creates `dir` and its missing parents, each new one with exactly `mode`; existing ones are
// left as they are.
Result<void> make_dirs(const std::filesystem::path& dir, unsigned mode);

// Checks that `dir` is a real directory (not a symlink) owned by this user that no other
// user can write to; an error names the owner and mode otherwise. With `parent`, a directory
// owned by root, or writable by others but sticky (/tmp), passes too: nobody else can then
// replace what this user keeps in it.
Result<void> check_own_dir(const std::filesystem::path& dir, bool parent = false);

// A temp file next to a final path that is removed unless commit() renames it into place.
// A final path that is a device or a pipe (-o /dev/null, /dev/stdout, a FIFO) is written in
// place instead: renaming a file over it would replace the device node.
class AtomicFile {
 public:
  // Opens "<dir>/.<name>.tmp-<random>" for writing (with exactly `mode` if set), or the final
  // path itself when it is a device or a pipe.
  static Result<AtomicFile> create(const std::filesystem::path& final_path, FileMode mode = {});
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  // Appends bytes; errors name the final path (ENOSPC becomes a clear "disk full").
  Result<void> write(std::string_view bytes);
  // fsyncs, renames over the final path and fsyncs the directory (a device: closes it).
  Result<void> commit();
  // Where the bytes go until commit(): the temp file, or the device itself.
  [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFile(std::filesystem::path final_path, std::filesystem::path temp, int fd);
  std::filesystem::path final_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
  bool in_place_ = false;  // final_ is a device or pipe, written directly (temp_ == final_)
};

// Creates "<parent>/<prefix>-<random>" exclusively with mode 0700 (mkdtemp-style: an entry
// that already exists is never reused); returns its path.
Result<std::filesystem::path> make_private_dir(const std::filesystem::path& parent,
                                               std::string_view prefix);

// $TMPDIR (or /tmp).
std::filesystem::path system_temp_dir();

// A fresh private directory (make_private_dir in the system temp dir), removed with its
// contents when the object goes; a failure to create it shows as an error on the first
// write into it (the path then points under /dev/null, where nothing can be created).
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // The directory's path.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Why the directory could not be created; empty when it was.
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::filesystem::path path_;
  std::string error_;
};

// A lower-case hex string of `bytes` bytes from the kernel's CSPRNG (getrandom), for unique
// names and tokens.
std::string random_hex(size_t bytes);

// The machine's host name, reduced to [A-Za-z0-9.-_] for use in keys.
std::string host_name();

}  // namespace pgopipe
