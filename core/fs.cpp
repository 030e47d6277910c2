// SPDX-License-Identifier: Apache-2.0
#include "core/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

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
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (size_t i = 0; i < bytes; ++i) out += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
  return out;
}

ScratchDir::ScratchDir(std::string_view prefix) {
  std::error_code ec;
  fs::path tmp = fs::temp_directory_path(ec);
  path_ = (ec ? fs::path("/tmp") : tmp) / fmt::format("{}-{}", prefix, random_hex(8));
  fs::create_directories(path_, ec);
}

ScratchDir::~ScratchDir() {
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
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

Result<AtomicFile> AtomicFile::create(const fs::path& final_path) {
  fs::path dir = final_path.parent_path();
  fs::path temp = dir / fmt::format(".{}.tmp-{}", final_path.filename().string(), random_hex(6));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temp, errno);
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

Result<void> write_file_atomic(const fs::path& path, std::string_view bytes) {
  PGO_TRY_ASSIGN(AtomicFile file, AtomicFile::create(path));
  PGO_TRY(file.write(bytes));
  return file.commit();
}

}  // namespace pgopipe
