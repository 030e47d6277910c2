// SPDX-License-Identifier: Apache-2.0
#include "core/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "core/redact.hpp"
#include "core/text_lines.hpp"
#include "core/tool_environment.hpp"

namespace pgopipe {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// In the child between fork and exec: its own process group (with a timeout), the working
// directory and the chosen stdin/stdout/stderr (dup2 clears close-on-exec; every descriptor
// opened here has it, so nothing else leaks into the child).
struct ChildSetup : bp::extend::handler {
  bool own_group = false;
  const char* cwd = nullptr;
  int in = -1, out = -1, err = -1;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    if (own_group) ::setpgid(0, 0);
    if (cwd != nullptr) static_cast<void>(::chdir(cwd));
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    if (out >= 0) ::dup2(out, STDOUT_FILENO);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
  }
};

// The descriptors of one run: the child's ends and the parent's reading ends.
struct Streams {
  Fd child_in, child_out, child_err;
  Fd read_out, read_err;
};

Result<void> open_null(Fd& fd, int flags) {
  fd.fd = ::open("/dev/null", flags | O_CLOEXEC);
  if (fd.fd < 0) return make_error(ErrorCode::Io, "cannot open /dev/null: {}", std::strerror(errno));
  return success();
}

Result<void> open_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(ErrorCode::Io, "pipe: {}", std::strerror(errno));
  read_end.fd = fds[0];
  write_end.fd = fds[1];
  return success();
}

Result<void> open_streams(const ProcessOptions& o, Streams& s) {
  if (o.stdin_null) PGO_TRY(open_null(s.child_in, O_RDONLY));
  if (o.on_stdout) {
    PGO_TRY(open_pipe(s.read_out, s.child_out));
  } else if (o.discard_stdout) {
    PGO_TRY(open_null(s.child_out, O_WRONLY));
  } else if (o.stdout_to_stderr) {
    s.child_out.fd = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    if (s.child_out.fd < 0) return make_error(ErrorCode::Io, "cannot duplicate stderr: {}", std::strerror(errno));
  }
  if (o.on_stderr || o.stderr_tail > 0) PGO_TRY(open_pipe(s.read_err, s.child_err));
  return success();
}

// Hands every line read from `fd` (to its end) to `on_line`; returns the over-long lines skipped.
uint64_t read_lines(int fd, const LineCallback& on_line) {
  uint64_t too_long = 0;
  text::for_each_line(
      [fd](char* p, size_t n) -> long {
        for (;;) {
          ssize_t got = ::read(fd, p, n);
          if (got >= 0 || errno != EINTR) return static_cast<long>(got);
        }
      },
      on_line, &too_long);
  return too_long;
}

// The last `n` bytes of a stream, fed line by line.
class Tail {
 public:
  explicit Tail(size_t n) : n_(n) {}
  void add(std::string_view line) {
    if (n_ == 0) return;
    text_.append(line);
    text_ += '\n';
    if (text_.size() > 2 * n_ + 4096) text_.erase(0, text_.size() - n_);
  }
  std::string take() {
    while (!text_.empty() && (text::is_space(text_.back()) || text_.back() == '\n')) text_.pop_back();
    return text_.size() > n_ ? text_.substr(text_.size() - n_) : std::move(text_);
  }

 private:
  size_t n_;
  std::string text_;
};

// While the child runs (until stop()): kills its process group once the timeout passes and
// sends SIGINT once when the interruption asks for it. The child is not reaped before stop().
class Watchdog {
 public:
  Watchdog(const ProcessOptions& o, pid_t pid, ProcessExit& result)
      : o_(o), pid_(pid), start_(Clock::now()), result_(result) {
    if (o_.timeout || o_.interrupt) thread_ = std::thread([this] { watch(); });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] bool timed_out() const { return timed_out_; }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    while (!done_) {
      if (o_.timeout && Clock::now() - start_ >= *o_.timeout) {
        timed_out_ = true;
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        return;
      }
      if (!result_.interrupted && o_.interrupt && o_.interrupt()) {
        result_.interrupted = true;
        ::kill(pid_, SIGINT);
      }
      cv_.wait_for(lock, std::chrono::milliseconds{20});
    }
  }
  const ProcessOptions& o_;
  pid_t pid_;
  Clock::time_point start_;
  ProcessExit& result_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool timed_out_ = false;
  std::thread thread_;
};

bp::environment child_environment(const ProcessOptions& o) {
  if (!o.env) return tool_environment();
  bp::environment env;
  for (const auto& [key, value] : *o.env) env[key] = value;
  return env;
}

// Reads the child's piped output to its end, then waits for it to exit without reaping it
// (the watchdog may still signal its pid), stops the watchdog and reaps it.
void collect(bp::child& child, Streams& s, const ProcessOptions& o, Watchdog& dog,
             ProcessExit& result, const std::string& program) {
  Tail tail(o.stderr_tail);
  std::jthread err_reader;  // joined on every exit, also when a callback throws
  if (s.read_err.fd >= 0) {
    err_reader = std::jthread([&] {
      read_lines(s.read_err.fd, [&](std::string_view line) {
        tail.add(line);
        if (o.on_stderr) o.on_stderr(line);
      });
    });
  }
  if (s.read_out.fd >= 0) {
    if (uint64_t skipped = read_lines(s.read_out.fd, o.on_stdout); skipped > 0)
      spdlog::warn("{}: skipped {} output line(s) longer than {} bytes", program, skipped,
                   text::kMaxLineBytes);
  }
  if (err_reader.joinable()) err_reader.join();
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(child.id()), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  dog.stop();
  std::error_code ec;
  child.wait(ec);
  result.exit_code = child.exit_code();
  result.stderr_tail = tail.take();
}

}  // namespace

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                                       "QRSTUVWXYZ0123456789-_./=:,+@%") ==
                                     std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

fs::path find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  return bp::search_path(program).string();
}

Result<ProcessExit> spawn_and_wait(const std::vector<std::string>& argv, const ProcessOptions& o) {
  if (argv.empty()) return make_error(ErrorCode::Internal, "run_process: empty command");
  const std::string command = quote_command(redact_argv(argv));
  fs::path exe = find_program(argv[0]);
  if (exe.empty())
    return make_error(ErrorCode::Tool, "'{}' not found on PATH (needed for: {})", argv[0], command);
  if (o.log) spdlog::info("running: {}", command);
  Streams s;
  PGO_TRY(open_streams(o, s));
  ChildSetup setup;
  setup.own_group = o.timeout.has_value();
  setup.cwd = o.cwd.empty() ? nullptr : o.cwd.c_str();
  setup.in = s.child_in.fd;
  setup.out = s.child_out.fd;
  setup.err = s.child_err.fd;
  ProcessExit result;
  try {
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    bp::child child(boost::filesystem::path(exe.string()), bp::args(args), child_environment(o), setup);
    if (setup.own_group) ::setpgid(child.id(), child.id());  // also from here: no window before a kill
    s.child_in.reset();
    s.child_out.reset();
    s.child_err.reset();
    Watchdog dog(o, child.id(), result);
    collect(child, s, o, dog, result, argv[0]);
    if (dog.timed_out())
      return make_error(ErrorCode::Tool, "command timed out after {} (its process group was killed): {}",
                        format_duration(*o.timeout), command);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Tool, "cannot run '{}': {}", command, redact_text(e.what()));
  }
  return result;
}

Result<void> run_process(const std::vector<std::string>& argv, const ProcessOptions& o) {
  PGO_TRY_ASSIGN(ProcessExit r, spawn_and_wait(argv, o));
  if (r.exit_code != 0) {
    return make_error(ErrorCode::Tool, "command failed with exit code {}: {}{}{}", r.exit_code,
                      quote_command(redact_argv(argv)), r.stderr_tail.empty() ? "" : ": ",
                      redact_text(r.stderr_tail));
  }
  return success();
}

}  // namespace pgopipe
