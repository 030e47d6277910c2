// SPDX-License-Identifier: Apache-2.0
// A CPU-bound program whose time is dominated by one function (hot_loop), for the perf
// sampler test. Runs for argv[1] seconds (default 5).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) unsigned long hot_loop(unsigned long x) {
  for (int i = 0; i < 2000000; ++i) x = x * 6364136223846793005UL + 1442695040888963407UL;
  return x;
}

__attribute__((noinline)) unsigned long cold_step(unsigned long x) { return x ^ (x >> 7); }

int main(int argc, char** argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 5.0;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned long x = 1;
  do {
    x = hot_loop(x);
    x = cold_step(x);
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
  printf("%lu\n", x);
  return 0;
}
