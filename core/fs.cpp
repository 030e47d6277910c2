// SPDX-License-Identifier: Apache-2.0
#include "core/fs.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>

namespace pgopipe {
namespace fs = std::filesystem;

namespace {

Error io_error(std::string_view action, const fs::path& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return make_error(ErrorCode::Io, "{} {}: disk full ({})", action, path.string(),
                      std::strerror(err));
  }
  return make_error(ErrorCode::Io, "{} {}: {}", action, path.string(), std::strerror(err));
}

Result<void> fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  ::fsync(fd);
  ::close(fd);
  return success();
}

}  // namespace

std::string random_hex(size_t bytes) {
  // The kernel's CSPRNG for every name and token: nothing seen in a store (lock tokens, key
  // suffixes) tells anyone which temp names come next.
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // getrandom(2) without GRND_NONBLOCK only fails on EFAULT/EINVAL
    }
    got += static_cast<size_t>(n);
  }
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) out += fmt::format("{:02x}", static_cast<unsigned>(c));
  return out;
}

Result<std::filesystem::path> make_private_dir(const fs::path& parent, std::string_view prefix) {
  int err = 0;
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path path = parent / fmt::format("{}-{}", prefix, random_hex(8));
    // mkdir fails on any existing entry (a planted directory or symlink included).
    if (::mkdir(path.c_str(), 0700) == 0) return path;
    err = errno;
    if (err != EEXIST) break;
  }
  return io_error("cannot create a private directory in", parent, err);
}

fs::path system_temp_dir() {
  std::error_code ec;
  fs::path tmp = fs::temp_directory_path(ec);
  return ec ? fs::path("/tmp") : tmp;
}

ScratchDir::ScratchDir(std::string_view prefix) {
  auto made = make_private_dir(system_temp_dir(), prefix);
  if (made) {
    path_ = *made;
    return;
  }
  error_ = made.error().message;
  // Nobody can create anything under /dev/null, so writes here fail instead of landing in a
  // directory someone else made.
  path_ = fs::path("/dev/null") / fmt::format("{}-unavailable", prefix);
}

ScratchDir::~ScratchDir() {
  if (!error_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  std::string out;
  for (char c : std::string_view(buf)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    out += ok ? c : (c == '.' ? '.' : '_');
  }
  if (out.empty() || out.find("..") != std::string::npos) return "unknown-host";
  return out.substr(0, 64);
}

Result<std::string> read_file(const fs::path& path, uint64_t max_bytes) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return make_error(ErrorCode::Input, "{}: no such file", path.string());
  }
  if (fs::is_directory(status)) return make_error(ErrorCode::Input, "{}: is a directory", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open", path, errno);
  std::string data;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return make_error(ErrorCode::Input, "{}: larger than the limit of {} bytes", path.string(),
                        max_bytes);
    }
  }
  if (in.bad()) return io_error("cannot read", path, errno);
  return data;
}

AtomicFile::AtomicFile(fs::path final_path, fs::path temp, int fd)
    : final_(std::move(final_path)), temp_(std::move(temp)), fd_(fd) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_(std::move(other.final_)), temp_(std::move(other.temp_)), fd_(other.fd_),
      committed_(other.committed_), in_place_(other.in_place_) {
  other.fd_ = -1;
  other.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !in_place_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

Result<AtomicFile> AtomicFile::create(const fs::path& final_path, FileMode mode) {
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
                                               S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    // Non-blocking so that a pipe nobody reads is an error instead of a wait forever (the
    // collector writes through here inside its host's process); blocking again for the writes.
    int fd = ::open(final_path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return io_error("cannot open", final_path, errno);
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot open", final_path, err);
    }
    AtomicFile file(final_path, final_path, fd);
    file.in_place_ = true;
    return file;
  }
  fs::path dir = final_path.parent_path();
  fs::path temp = dir / fmt::format(".{}.tmp-{}", final_path.filename().string(), random_hex(6));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  mode ? (*mode & 0600) : 0644);
  if (fd < 0) return io_error("cannot create", temp, errno);
  // The exact mode (the umask may have taken group bits a shared store asked for).
  if (mode && ::fchmod(fd, *mode) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return io_error("cannot set the mode of", temp, err);
  }
  return AtomicFile(final_path, temp, fd);
}

Result<void> AtomicFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", final_, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return success();
}

Result<void> AtomicFile::commit() {
  if (in_place_) {
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return io_error("cannot close", final_, errno);
    committed_ = true;
    return success();
  }
  if (::fsync(fd_) != 0) return io_error("cannot sync", final_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return io_error("cannot close", final_, errno);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), final_.c_str()) != 0) return io_error("cannot rename into", final_, errno);
  committed_ = true;
  return fsync_dir(final_.parent_path());
}

Result<void> write_file_atomic(const fs::path& path, std::string_view bytes, FileMode mode) {
  PGO_TRY_ASSIGN(AtomicFile file, AtomicFile::create(path, mode));
  PGO_TRY(file.write(bytes));
  return file.commit();
}

}  // namespace pgopipe

namespace pgopipe {

unsigned dir_mode_for(unsigned file_mode) {
  unsigned mode = file_mode & 0777;
  if (mode & 0400) mode |= 0100;
  if (mode & 0040) mode |= 0010;
  if (mode & 0004) mode |= 0001;
  return mode;
}

Result<void> make_dirs(const fs::path& dir, unsigned mode) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return success();
  PGO_TRY(make_dirs(dir.parent_path(), mode));
  if (::mkdir(dir.c_str(), mode) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec)) return success();  // made meanwhile
    return io_error("cannot create directory", dir, errno);
  }
  if (::chmod(dir.c_str(), mode) != 0) return io_error("cannot set the mode of", dir, errno);
  return success();
}

Result<void> check_own_dir(const fs::path& dir, bool parent) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return io_error("cannot inspect", dir, errno);
  if (!S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::Io, "{} is not a directory (a symlink or file planted there?)",
                      dir.string());
  }
  bool owner_ok = st.st_uid == ::geteuid() || (parent && st.st_uid == 0);
  bool write_ok = (st.st_mode & 022) == 0 || (parent && (st.st_mode & S_ISVTX) != 0);
  if (!owner_ok || !write_ok) {
    return make_error(ErrorCode::Io,
                      "{} is owned by uid {} with mode {:04o}; refusing to use it (it must belong "
                      "to uid {} and be writable by nobody else)",
                      dir.string(), st.st_uid, st.st_mode & 07777, ::geteuid());
  }
  return success();
}

}  // namespace pgopipe
