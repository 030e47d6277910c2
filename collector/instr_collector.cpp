// SPDX-License-Identifier: Apache-2.0
// The collector thread: every interval a cumulative snapshot of the LLVM profile runtime
// (counters and value profiles, runtime_snapshot.hpp; nothing is reset, so the application's
// threads are never raced or blocked) minus the previous snapshot becomes one raw profile
// (interval_delta.hpp), handed to the linked Sink. Nothing escapes to the host: errors are logged to stderr, exceptions caught.
// fork(): the child inherits no thread; it starts its own collector, whose baseline is the
// counters at the fork, under its own pid. exec() ends it like any thread (pipes are CLOEXEC).
#include "collector/instr_collector.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "collector/interval_delta.hpp"
#include "collector/runtime_snapshot.hpp"
#include "collector/sink.hpp"
#include "collector/spool.hpp"
#include "core/fs.hpp"

namespace pgopipe::collector {
namespace {

void log(std::string_view level, const std::string& message) {
  std::string line = fmt::format("pgopipe-collector[{}] {}: {}\n", ::getpid(), level, message);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

std::atomic<int> g_wake_fd{-1};  // write end of the running collector's pipe, for the signal handler

void on_sigterm(int) {
  int saved = errno;
  char c = 't';
  int fd = g_wake_fd.load();
  if (fd < 0 || ::write(fd, &c, 1) != 1) {  // no collector here (a child that did not start one)
    ::signal(SIGTERM, SIG_DFL);
    ::raise(SIGTERM);
  }
  errno = saved;
}

double thread_cpu_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

class Collector {
 public:
  // Starts collecting; in a forked child `baseline` is true (counters so far are the parent's).
  Result<void> start(InstrSettings s, bool baseline) {
    std::lock_guard lock(mu_);
    if (running_) return make_error(ErrorCode::Usage, "the collector is already running");
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
    if (baseline) PGO_TRY(delta_.apply(first));  // a forked child: the parent's counts so far
    PGO_TRY_ASSIGN(sink_, make_sink(s_, [](std::string_view level, const std::string& m) { log(level, m); }));
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
    // The thread takes no signals: the application's threads keep receiving them.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    // A plain pthread: std::thread would put its start state on the heap, owned by the thread,
    // which a forked child inherits without the thread (and so could never free).
    int created = ::pthread_create(&thread_, nullptr, &Collector::thread_main, this);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (created != 0) {
      return make_error(ErrorCode::Internal, "cannot start the collector thread: {}", std::strerror(created));
    }
    if (s_.handle_sigterm && !baseline) install_sigterm();
    running_ = true;
    log("info", fmt::format("collecting {} every {}{}, build id {}, into {}", s_.app,
                            format_duration(s_.interval), baseline ? " in a forked child" : "",
                            build_id_.empty() ? "unknown" : build_id_, sink_->describe()));
    return success();
  }

  void stop() {
    std::lock_guard lock(mu_);
    if (!running_ || ::getpid() != pid_) return;  // not running, or an object inherited by fork
    char c = 'q';
    (void)!::write(wake_w_, &c, 1);
    ::pthread_join(thread_, nullptr);
    running_ = false;
  }

  // The settings of a running collector, for the collector of a forked child.
  [[nodiscard]] bool running() const { return running_; }
  [[nodiscard]] const InstrSettings& settings() const { return s_; }

 private:
  void install_sigterm() {
    struct sigaction current {};
    sigaction(SIGTERM, nullptr, &current);
    if (current.sa_handler == SIG_DFL) {
      struct sigaction sa {};
      sa.sa_handler = on_sigterm;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESTART;
      sigaction(SIGTERM, &sa, nullptr);
    } else if (current.sa_handler != on_sigterm) {
      log("info", "SIGTERM has a handler already: call pgopipe_collector_stop() before exiting");
    }
  }

  static void* thread_main(void* self) {
    static_cast<Collector*>(self)->run();
    return nullptr;
  }

  void run() {
    auto next = std::chrono::steady_clock::now() + s_.interval;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          next - std::chrono::steady_clock::now());
      pollfd p{wake_r_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      char c = 0;
      if (n > 0 && ::read(wake_r_, &c, 1) == 1) {
        collect_safely();
        log("info", fmt::format("stopped after {} interval(s); collector thread CPU time {:.1f} ms "
                                "(at most {:.1f} ms for one interval)", seq_, thread_cpu_ms(), max_cpu_ms_));
        if (c == 't') {
          log("info", "SIGTERM: last interval flushed, terminating");
          ::signal(SIGTERM, SIG_DFL);
          ::kill(::getpid(), SIGTERM);
        }
        return;
      }
      if (std::chrono::steady_clock::now() >= next) {
        collect_safely();
        next += s_.interval;
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + s_.interval;
      }
    }
  }

  // collect(), with any exception (std::bad_alloc, a filesystem error) logged, never thrown.
  void collect_safely() {
    double cpu = thread_cpu_ms();
    try {
      collect();
    } catch (const std::exception& e) {
      log("error", fmt::format("interval dropped: {}", e.what()));
    } catch (...) {
      log("error", "interval dropped: unknown exception");
    }
    max_cpu_ms_ = std::max(max_cpu_ms_, thread_cpu_ms() - cpu);
  }

  // Takes the delta since the previous interval and delivers it.
  void collect() {
    TimePoint start = interval_start_;
    TimePoint end = now();
    interval_start_ = end;
    auto bytes = runtime_snapshot();
    Result<uint64_t> total = bytes ? delta_.apply(*bytes) : Result<uint64_t>(bytes.error());
    if (!total) {
      log("error", fmt::format("interval {} not collected: {}", format_rfc3339(start), total.error().message));
      return;
    }
    if (*total == 0) {
      sink_->idle();
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
    sink_->deliver(meta, *bytes, seq_);
  }

  std::mutex mu_;
  pthread_t thread_{};
  std::atomic<bool> running_{false};
  InstrSettings s_;
  std::unique_ptr<Sink> sink_;
  IntervalDelta delta_;
  std::string build_id_, host_;
  int wake_r_ = -1, wake_w_ = -1;
  pid_t pid_ = 0;
  uint64_t seq_ = 0;
  double max_cpu_ms_ = 0;
  TimePoint interval_start_{};
};

// The process's collector. Never destroyed (atexit handlers may still use it); a forked child
// replaces it without touching the inherited one, whose mutex another thread may have held.
std::atomic<Collector*> g_collector{nullptr};
std::atomic<Collector*> g_inherited{nullptr};  // the parent's, kept reachable in a forked child

Collector& instance() {
  static std::once_flag once;
  std::call_once(once, [] { g_collector = new Collector; });
  return *g_collector.load();
}

// pthread_atfork child handler: runs in the child, on the thread that called fork().
void after_fork_in_child() noexcept {
  Collector* parent = g_collector.load();
  if (parent == nullptr || !parent->running()) return;
  g_wake_fd = -1;  // the inherited pipe wakes the parent's thread, not ours
  g_inherited = parent;
  try {
    InstrSettings s = parent->settings();
    auto* child = new Collector;
    g_collector = child;
    if (auto ok = child->start(std::move(s), /*baseline=*/true); !ok) {
      log("warning", fmt::format("forked child does not collect: {}", ok.error().message));
    }
  } catch (...) {
    log("warning", "forked child does not collect: out of memory");
  }
}

}  // namespace

Result<void> start_collector(InstrSettings settings) {
  PGO_TRY(instance().start(std::move(settings), /*baseline=*/false));
  static std::once_flag registered;
  std::call_once(registered, [] {
    std::atexit([] { stop_collector(); });
    ::pthread_atfork(nullptr, nullptr, after_fork_in_child);
  });
  return success();
}

void stop_collector() {
  if (Collector* c = g_collector.load()) c->stop();
}

}  // namespace pgopipe::collector
