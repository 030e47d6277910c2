// SPDX-License-Identifier: Apache-2.0
// service: an example request-serving program for PGO. It generates deterministic traffic
// in-process, serves it and prints a checksum of all responses plus the elapsed time.
//   service --requests N [--seed S] [--mix NAME]   serve N requests
//   service --duration SECONDS [--seed S] [--mix NAME]   serve until time is up or SIGTERM
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "server.hpp"
#include "sink.hpp"
#include "traffic.hpp"

namespace {

constexpr std::size_t kCaptureSize = 8192;

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_signal(int) { g_stop = 1; }

struct Options {
  std::uint64_t requests = 0;
  double duration = 0;
  std::uint64_t seed = 1;
  std::string mix = "default";
  bool quiet = false;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "service: %s\n"
               "usage: service --requests N [--seed S] [--mix NAME] [--quiet]\n"
               "       service --duration SECONDS [--seed S] [--mix NAME] [--quiet]\n"
               "mixes: %.*s\n",
               why, static_cast<int>(svc::mix_names().size()), svc::mix_names().data());
  return 2;
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-') return false;
  out = v;
  return true;
}

bool parse_args(int argc, char** argv, Options& o, const char*& error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) {
      error = "missing value after an option (or unknown option)";
      return false;
    }
    const char* v = argv[++i];
    if (a == "--requests") {
      if (!parse_u64(v, o.requests) || o.requests == 0) return error = "bad --requests", false;
    } else if (a == "--seed") {
      if (!parse_u64(v, o.seed)) return error = "bad --seed", false;
    } else if (a == "--mix") {
      o.mix = v;
    } else if (a == "--duration") {
      char* end = nullptr;
      o.duration = std::strtod(v, &end);
      if (end == v || *end != '\0' || !(o.duration > 0)) return error = "bad --duration", false;
    } else {
      error = "unknown option";
      return false;
    }
  }
  if ((o.requests == 0) == (o.duration == 0)) {
    error = "give exactly one of --requests and --duration";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  const char* error = nullptr;
  if (!parse_args(argc, argv, opt, error)) return usage(error);
  svc::Mix mix{};
  if (!svc::find_mix(opt.mix, mix)) return usage("unknown --mix");

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  svc::Server server;
  // The traffic is generated up front (a replayable capture) so the timed loop measures
  // serving only; it cycles when more requests are served than the capture holds.
  svc::Traffic traffic(opt.seed, mix);
  std::vector<std::string> capture(kCaptureSize);
  for (std::string& r : capture) traffic.next(r);
  std::string response;
  std::uint64_t checksum = 14695981039346656037ULL;
  std::uint64_t served = 0;
  std::uint64_t errors = 0;

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(opt.duration));
  while (g_stop == 0) {
    if (opt.requests != 0) {
      if (served == opt.requests) break;
    } else if ((served & 255) == 0 && Clock::now() >= deadline) {
      break;
    }
    server.handle(capture[served % kCaptureSize], response);
    checksum = svc::checksum_fold(response, checksum);
    errors += response.compare(9, 1, "4") == 0 || response.compare(9, 1, "5") == 0;
    ++served;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  std::printf("requests: %llu\nerrors: %llu\nchecksum: %016llx\nelapsed_seconds: %.3f\n"
              "cpu_seconds: %.3f\n",
              static_cast<unsigned long long>(served), static_cast<unsigned long long>(errors),
              static_cast<unsigned long long>(checksum), elapsed, cpu);
  if (!opt.quiet) {
    std::fprintf(stderr, "service: %.0f requests/s (mix %s, seed %llu%s)\n",
                 elapsed > 0 ? static_cast<double>(served) / elapsed : 0.0, opt.mix.c_str(),
                 static_cast<unsigned long long>(opt.seed), g_stop ? ", stopped by signal" : "");
  }
  return 0;
}
