// SPDX-License-Identifier: Apache-2.0
// `pgopipe_bench_merge_profraw -j N -o OUT FILE...`: merges .profraw/.profdata files with N
// instr engines on N threads (each worker reads one input at a time into a reused buffer), folds
// the engines pairwise, and writes OUT. Prints stage timings to stderr.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "merger/llvm/instr_engine.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Reads `path` into `buffer` (reusing its capacity); false on failure.
bool read_into(const std::string& path, std::string& buffer) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) buffer.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (ok && done < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n <= 0) ok = false;
    else done += static_cast<size_t>(n);
  }
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 1;
  std::string out;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-j" && i + 1 < argc) jobs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "-o" && i + 1 < argc) out = argv[++i];
    else inputs.push_back(arg);
  }
  if (out.empty() || inputs.empty()) {
    std::fprintf(stderr, "usage: %s -j N -o OUT FILE...\n", argv[0]);
    return 2;
  }
  auto start = Clock::now();
  std::mutex log_mutex;
  auto warn = [&](const std::string& in, const std::string& msg) {
    std::lock_guard lock(log_mutex);
    std::fprintf(stderr, "warning: %s: %s\n", in.c_str(), msg.c_str());
  };
  std::vector<std::unique_ptr<pgopipe::merge::MergeEngine>> engines;
  for (int j = 0; j < jobs; ++j) {
    auto engine = pgopipe::llvm_merge::make_instr_engine(pgopipe::merge::MergeOptions{}, warn);
    if (!engine) return 1;
    engines.push_back(std::move(*engine));
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int j = 0; j < jobs; ++j) {
    workers.emplace_back([&, j] {
      std::string buffer;
      for (size_t i = next++; i < inputs.size() && !failed; i = next++) {
        if (!read_into(inputs[i], buffer)) {
          std::lock_guard lock(log_mutex);
          std::fprintf(stderr, "error: cannot read %s: %s\n", inputs[i].c_str(), std::strerror(errno));
          failed = true;
          return;
        }
        auto added = engines[static_cast<size_t>(j)]->add(inputs[i], buffer, 1);
        if (!added) {
          std::lock_guard lock(log_mutex);
          std::fprintf(stderr, "error: %s\n", added.error().message.c_str());
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed) return 1;
  double read_s = seconds_since(start);
  // Pairwise folding: log2(jobs) rounds, the pairs of a round in parallel.
  for (size_t stride = 1; stride < engines.size(); stride *= 2) {
    std::vector<std::thread> folds;
    for (size_t i = 0; i + stride < engines.size(); i += 2 * stride) {
      folds.emplace_back([&, i, stride] {
        auto folded = engines[i]->absorb(*engines[i + stride]);
        if (!folded) failed = true;
        engines[i + stride].reset();
      });
    }
    for (auto& f : folds) f.join();
  }
  if (failed) return 1;
  double fold_s = seconds_since(start) - read_s;
  auto written = engines[0]->write(out);
  if (!written) {
    std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "merged %zu inputs with %d workers: read+merge %.3f s, fold %.3f s, write %.3f s\n",
               inputs.size(), jobs, read_s, fold_s, seconds_since(start) - read_s - fold_s);
  return 0;
}
