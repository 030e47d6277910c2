// SPDX-License-Identifier: Apache-2.0
// The collector thread: every interval a cumulative snapshot of the LLVM profile counters
// (__llvm_profile_write_buffer; counters are never reset, so the application's threads are
// never raced or blocked) minus the previous snapshot becomes one raw profile, uploaded to
// the store or, while the store is unreachable, to a bounded spool drained oldest first.
#include "collector/instr_collector.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
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

#include "collector/raw_profile.hpp"
#include "collector/spool.hpp"
#include "core/config.hpp"
#include "core/digest.hpp"
#include "core/fs.hpp"
#include "core/store/store.hpp"

// The LLVM profile runtime, weak so that a non-instrumented binary still links and gets a
// clear "not instrumented" error at start.
extern "C" {
__attribute__((weak)) uint64_t __llvm_profile_get_size_for_buffer(void);
__attribute__((weak)) int __llvm_profile_write_buffer(char* buffer);
}

namespace pgopipe::collector {
namespace {

template <typename... Args>
void log(const char* level, fmt::format_string<Args...> f, Args&&... args) {
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
    if (!__llvm_profile_get_size_for_buffer || !__llvm_profile_write_buffer) {
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
    spool_ = std::make_unique<Spool>(s_.spool_dir, s_.spool_max_bytes);
    PGO_TRY_ASSIGN(std::string first, snapshot());
    PGO_TRY_ASSIGN(layout_, parse_raw_layout(first));
    build_id_ = first_binary_id(first, layout_);
    value_sites_ = has_value_sites(first, layout_);
    if (value_sites_) {
      log("warning", "value profiles (indirect-call targets, memop sizes) are not collected per "
                     "interval; uploads carry exact block counts without value sites");
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
    store_options_ = config.store_options();
    store_options_.s3.retries = std::min(store_options_.s3.retries, 2);  // short shutdowns
    store_options_.s3.timeout = std::min(store_options_.s3.timeout, std::chrono::milliseconds{10000});
    if (auto opened = open(); !opened) {
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

  Result<std::string> snapshot() {
    std::string buffer(__llvm_profile_get_size_for_buffer(), '\0');
    if (__llvm_profile_write_buffer(buffer.data()) != 0) {
      return make_error(ErrorCode::Internal, "the LLVM profile runtime could not write its buffer");
    }
    return buffer;
  }

  // Takes the delta since the previous interval and delivers it.
  void collect() {
    TimePoint start = interval_start_;
    TimePoint end = now();
    interval_start_ = end;
    auto bytes = snapshot();
    Result<uint64_t> total = bytes ? delta_.apply(*bytes, layout_) : Result<uint64_t>(bytes.error());
    if (!total) {
      log("error", "interval {} not collected: {}", format_rfc3339(start), total.error().message);
      return;
    }
    if (*total == 0) {
      drain();
      return;  // nothing ran: no object for an idle interval
    }
    if (value_sites_) clear_value_sites(*bytes, layout_);
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
    if (auto ok = complete_meta(meta, *bytes); !ok) {
      log("error", "interval {} dropped: {}", format_rfc3339(start), ok.error().message);
      return;
    }
    std::string name = fmt::format("{}-{}-{:08}", format_compact(start), pid_, seq_);
    drain();
    auto spooled = spool_->entries();
    if (spooled && spooled->empty()) {
      auto key = put(meta, *bytes);
      if (key) return;
      log("warning", "store {} unreachable, spooling interval {}: {}", s_.store_url,
          format_rfc3339(start), key.error().message);
    }
    auto added = spool_->add(name, meta, *bytes);
    if (!added) {
      log("error", "interval {} LOST: cannot spool it: {}", format_rfc3339(start), added.error().message);
    } else if (*added > 0) {
      log("warning", "spool {} full: dropped {} oldest profile(s) ({} dropped so far)",
          s_.spool_dir.string(), *added, spool_->dropped());
    }
  }

  Result<Store*> open() {
    if (!store_) {
      PGO_TRY_ASSIGN(store_, open_store(s_.store_url, store_options_));
    }
    return store_.get();
  }

  Result<std::string> put(const ProfileMeta& meta, std::string_view bytes) {
    PGO_TRY_ASSIGN(Store * store, open());
    auto key = store->put(meta, bytes);
    if (!key) store_.reset();  // reopen next time (a local store may need its root again)
    return key;
  }

  // Uploads spooled profiles, oldest first, until the store fails again. An entry already
  // in the store (an upload that succeeded but failed to answer) is not uploaded twice.
  void drain() {
    auto list = spool_->entries();
    if (!list || list->empty()) return;
    int lock_fd = ::open((s_.spool_dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      if (lock_fd >= 0) ::close(lock_fd);
      return;  // another process drains this spool right now
    }
    size_t done = 0;
    for (const auto& e : *list) {
      auto entry = spool_->read(e);
      if (!entry) {
        log("error", "spooled profile {} unreadable, removing it: {}", e.name, entry.error().message);
        (void)spool_->remove(e);
        continue;
      }
      auto& [meta, bytes] = *entry;
      if (already_stored(meta)) {
        (void)spool_->remove(e);
        continue;
      }
      if (auto key = put(meta, bytes); !key) break;
      if (auto removed = spool_->remove(e); !removed) {
        log("error", "{}", removed.error().message);
        break;
      }
      ++done;
    }
    ::close(lock_fd);
    if (done > 0) log("info", "uploaded {} spooled profile(s) to {}", done, s_.store_url);
  }

  bool already_stored(const ProfileMeta& meta) {
    auto store = open();
    if (!store) return false;
    Query q;
    q.app = meta.app;
    q.window = {meta.collected_at, meta.collected_at + Duration{1}};
    for (const char* k : {"pid", "seq"}) {
      if (auto it = meta.labels.find(k); it != meta.labels.end()) q.labels[k] = it->second;
    }
    auto found = (*store)->list(q);
    return found && !found->empty();
  }

  std::mutex mu_;
  std::thread thread_;
  InstrSettings s_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Store> store_;
  StoreOptions store_options_;
  RawLayout layout_;
  CounterDelta delta_;
  std::string build_id_, host_;
  bool value_sites_ = false;
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
