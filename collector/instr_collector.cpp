// SPDX-License-Identifier: Apache-2.0
// The collector thread: every interval a cumulative snapshot of the LLVM profile runtime
// (counters and value profiles, runtime_snapshot.hpp; nothing is reset, so the application's
// threads are never raced or blocked) minus the previous snapshot becomes one raw profile
// (interval_delta.hpp), uploaded to the store or, while the store is unreachable, to a
// bounded spool drained oldest first.
#include "collector/instr_collector.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "collector/interval_delta.hpp"
#include "collector/runtime_snapshot.hpp"
#include "collector/uploader.hpp"
#include "core/config.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/store/store.hpp"

namespace pgopipe::collector {
namespace {

template <typename... Args>
void log(std::string_view level, fmt::format_string<Args...> f, Args&&... args) {
  std::string line = fmt::format("pgopipe-collector[{}] {}: {}\n", ::getpid(), level,
                                 fmt::format(f, std::forward<Args>(args)...));
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

std::atomic<int> g_wake_fd{-1};  // write end of the wake-up pipe, for the signal handler

void on_sigterm(int) {
  int saved = errno;
  char c = 't';
  int fd = g_wake_fd.load();
  if (fd >= 0) (void)!::write(fd, &c, 1);
  errno = saved;
}

class Collector {
 public:
  Result<void> start(InstrSettings s) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return make_error(ErrorCode::Usage, "the collector is already running");
    if (!runtime_linked()) {
      return make_error(ErrorCode::Config,
                        "this binary is not instrumented: build it with -fprofile-instr-generate "
                        "or -fprofile-generate to collect profiles");
    }
    ProfileMeta probe;
    probe.app = s.app;
    probe.labels = s.labels;
    PGO_TRY(validate(probe));
    s_ = std::move(s);
    if (s_.spool_dir.empty()) s_.spool_dir = default_spool_dir(s_.app);
    PGO_TRY_ASSIGN(std::string first, runtime_snapshot());
    PGO_TRY_ASSIGN(RawLayout layout, parse_raw_layout(first));
    build_id_ = first_binary_id(first, layout);
    if (auto values = read_value_data(first, layout); !values) {
      return make_error(ErrorCode::Internal, "the runtime's value-profile section is not readable: {}",
                        values.error().message);
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return make_error(ErrorCode::Internal, "cannot create the collector pipe: {}", std::strerror(errno));
    }
    wake_r_ = fds[0];
    wake_w_ = fds[1];
    g_wake_fd = wake_w_;
    pid_ = ::getpid();
    host_ = host_name();
    interval_start_ = now();
    // Libraries that clean up in atexit handlers (OpenSSL, spdlog) initialize now, before our
    // handler is registered, so they are still usable during the final flush at exit.
    (void)sha256_hex("");
    spdlog::default_logger();
    ConfigSources sources;  // S3 settings (endpoint, region, credentials profile) as the CLI has them
    sources.env = process_environment();
    sources.flags["store"] = s_.store_url;
    PGO_TRY_ASSIGN(Config config, load_config(sources));
    if (config.log_level.origin != "default") {
      // Only on request (PGOPIPE_LOG_LEVEL=debug shows every S3 request and retry): the
      // application may use spdlog's default logger itself.
      spdlog::set_level(spdlog::level::from_str(config.log_level.value));
    }
    StoreOptions options = config.store_options();
    options.s3.retries = std::min(options.s3.retries, 2);  // keep shutdown flushes short
    options.s3.timeout = std::min(options.s3.timeout, std::chrono::milliseconds{10000});
    uploader_ = std::make_unique<Uploader>(
        s_.store_url, options, s_.spool_dir, s_.spool_max_bytes,
        [](std::string_view level, const std::string& message) { log(level, "{}", message); });
    if (auto opened = uploader_->open(); !opened) {
      log("warning", "store {} not available yet: {}", s_.store_url, opened.error().message);
    }
    // The thread takes no signals: the application's threads keep receiving them.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    thread_ = std::thread([this] { run(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (s_.handle_sigterm) {
      struct sigaction current {};
      sigaction(SIGTERM, nullptr, &current);
      if (current.sa_handler == SIG_DFL) {
        struct sigaction sa {};
        sa.sa_handler = on_sigterm;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGTERM, &sa, nullptr);
      } else {
        log("info", "SIGTERM has a handler already: call pgopipe_collector_stop() before exiting");
      }
    }
    log("info", "collecting {} every {} into {} (build id {}, spool {})", s_.app,
        format_duration(s_.interval), s_.store_url, build_id_.empty() ? "unknown" : build_id_,
        s_.spool_dir.string());
    return success();
  }

  void stop() {
    std::lock_guard lock(mu_);
    if (!thread_.joinable() || ::getpid() != pid_) return;  // not running, or a forked child
    char c = 'q';
    (void)!::write(wake_w_, &c, 1);
    thread_.join();
  }

 private:
  void run() {
    auto next = std::chrono::steady_clock::now() + s_.interval;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          next - std::chrono::steady_clock::now());
      pollfd p{wake_r_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      char c = 0;
      if (n > 0 && ::read(wake_r_, &c, 1) == 1) {
        collect();
        rusage self {};
        ::getrusage(RUSAGE_THREAD, &self);
        double cpu_ms = (self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1e3 +
                        (self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e3;
        log("info", "stopped after {} interval(s); collector thread CPU time {:.1f} ms", seq_, cpu_ms);
        if (c == 't') {
          log("info", "SIGTERM: last interval flushed, terminating");
          ::signal(SIGTERM, SIG_DFL);
          ::kill(::getpid(), SIGTERM);
        }
        return;
      }
      if (std::chrono::steady_clock::now() >= next) {
        collect();
        next += s_.interval;
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + s_.interval;
      }
    }
  }

  // Takes the delta since the previous interval and delivers it.
  void collect() {
    TimePoint start = interval_start_;
    TimePoint end = now();
    interval_start_ = end;
    auto bytes = runtime_snapshot();
    Result<uint64_t> total = bytes ? delta_.apply(*bytes) : Result<uint64_t>(bytes.error());
    if (!total) {
      log("error", "interval {} not collected: {}", format_rfc3339(start), total.error().message);
      return;
    }
    if (*total == 0) {
      uploader_->drain();
      return;  // nothing ran: no object for an idle interval
    }
    ProfileMeta meta;
    meta.app = s_.app;
    meta.format = ProfileFormat::LlvmRaw;
    meta.collected_at = start;
    meta.duration = end - start;
    meta.build_id = build_id_;
    meta.host = host_;
    meta.labels = s_.labels;
    meta.labels["pid"] = std::to_string(pid_);
    meta.labels["seq"] = std::to_string(++seq_);
    if (auto delivered = uploader_->deliver(meta, *bytes, seq_); !delivered) {
      log("error", "interval {} dropped: {}", format_rfc3339(start), delivered.error().message);
    }
  }

  std::mutex mu_;
  std::thread thread_;
  InstrSettings s_;
  std::unique_ptr<Uploader> uploader_;
  IntervalDelta delta_;
  std::string build_id_, host_;
  int wake_r_ = -1, wake_w_ = -1;
  pid_t pid_ = 0;
  uint64_t seq_ = 0;
  TimePoint interval_start_{};
};

Collector& instance() {
  static Collector* c = new Collector;  // never destroyed: atexit handlers may still use it
  return *c;
}

}  // namespace

Result<void> start_collector(InstrSettings settings) {
  PGO_TRY(instance().start(std::move(settings)));
  std::atexit([] { stop_collector(); });
  return success();
}

void stop_collector() { instance().stop(); }

}  // namespace pgopipe::collector
