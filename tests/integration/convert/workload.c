// SPDX-License-Identifier: Apache-2.0
// Converter test workload: a hot loop with an inlined helper, called from main.
#include <stdio.h>
#include <stdlib.h>
static inline unsigned mix(unsigned x) {
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  x ^= x >> 15;
  return x;
}
__attribute__((noinline)) unsigned hot_loop(unsigned n) {
  unsigned acc = 0;
  for (unsigned i = 0; i < n; ++i) {
    acc += mix(i + acc);
  }
  return acc;
}
__attribute__((noinline)) unsigned cold_fn(unsigned n) { return n * 3; }
int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000000u;
  unsigned r = 0;
  r += hot_loop(n);
  r += hot_loop(n + 1);
  r += hot_loop(n + 2);
  r += cold_fn(r);
  printf("%u\n", r);
  return 0;
}
