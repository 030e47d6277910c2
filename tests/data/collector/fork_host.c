// SPDX-License-Identifier: Apache-2.0
// A pre-forking host for the collector tests: `fork_host SECONDS` works in prefork_step, then
// forks two workers that run child_step for SECONDS and exit(0), twenty children that
// _exit(0) at once, and one that execs `sh -c 'exit 7'`, while the parent runs parent_step
// for SECONDS. It prints each worker's pid and exits 0 only if every child ended as expected.
// A worker writes its end-of-run profile to $FORK_HOST_PROFILE_PREFIX-worker-<pid>.profraw (the
// profile runtime would otherwise give it the parent's file name, expanded before the fork).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  return x ^ (x >> 29);
}

__attribute__((noinline)) static uint64_t prefork_step(uint64_t x) { return mix(x) + 1; }
__attribute__((noinline)) static uint64_t child_step(uint64_t x) { return mix(x) + 2; }
__attribute__((noinline)) static uint64_t parent_step(uint64_t x) { return mix(x) + 3; }

void __llvm_profile_set_filename(const char* name);

static uint64_t work_for(double seconds, uint64_t (*step)(uint64_t)) {
  volatile uint64_t sink = 0;
  double end = seconds_now() + seconds;
  uint64_t i = 0;
  while (seconds_now() < end) {
    for (int k = 0; k < 1000; ++k) sink += step(i++);
  }
  return sink;
}

int main(int argc, char** argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  volatile uint64_t sink = 0;
  for (uint64_t i = 0; i < 1000; ++i) sink += prefork_step(i);
  pid_t workers[2], quick[20], exec_child;
  for (int w = 0; w < 2; ++w) {
    workers[w] = fork();
    if (workers[w] == 0) {
      static char name[4096];
      const char* prefix = getenv("FORK_HOST_PROFILE_PREFIX");
      if (prefix) {
        snprintf(name, sizeof name, "%s-worker-%d.profraw", prefix, (int)getpid());
        __llvm_profile_set_filename(name);
      }
      work_for(seconds, child_step);
      exit(0);
    }
    printf("worker %d\n", (int)workers[w]);
    fflush(stdout);  // or every child repeats what is still buffered
  }
  for (int q = 0; q < 20; ++q) {
    quick[q] = fork();
    if (quick[q] == 0) _exit(0);
  }
  exec_child = fork();
  if (exec_child == 0) {
    execl("/bin/sh", "sh", "-c", "exit 7", (char*)0);
    _exit(127);
  }
  sink += work_for(seconds, parent_step);
  int bad = 0, status = 0;
  for (int w = 0; w < 2; ++w) {
    if (waitpid(workers[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ++bad;
  }
  for (int q = 0; q < 20; ++q) {
    if (waitpid(quick[q], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ++bad;
  }
  if (waitpid(exec_child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 7) ++bad;
  printf("children %s\n", bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
