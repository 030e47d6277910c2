// SPDX-License-Identifier: Apache-2.0
// A CPU-bound program for the collector tests: `busy SECONDS` works for that long;
// `busy -n ROUNDS` does a fixed amount of work and prints its run time in seconds.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  if (x & 1) x ^= x >> 29;
  return x;
}

static uint64_t sum_odd(uint64_t n) {
  uint64_t s = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (mix(i) % 3 == 0) s += i;
  }
  return s;
}

static uint64_t rare(uint64_t x) { return x * 7 + 1; }

static uint64_t round_of_work(uint64_t round) {
  uint64_t s = sum_odd(2000);
  if (round % 97 == 0) s += rare(round);
  uint64_t (*volatile pick)(uint64_t) = (round % 3 == 0) ? rare : mix;  // an indirect call site
  return s + pick(round);
}

int main(int argc, char** argv) {
  volatile uint64_t sink = 0;
  if (argc == 3 && strcmp(argv[1], "-n") == 0) {
    long rounds = atol(argv[2]);
    double t0 = seconds_now();
    for (long r = 0; r < rounds; ++r) sink += round_of_work((uint64_t)r);
    printf("%.3f\n", seconds_now() - t0);
    return 0;
  }
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  double end = seconds_now() + seconds;
  uint64_t r = 0;
  while (seconds_now() < end) {
    for (int i = 0; i < 100; ++i) sink += round_of_work(r++);
  }
  printf("rounds %llu\n", (unsigned long long)r);
  return 0;
}
