// SPDX-License-Identifier: Apache-2.0
// Converter test workload: a hot loop with an inlined helper, called from main; an indirect call.
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
// An indirect call site whose cheap target is sampled mostly at its first instruction.
typedef unsigned (*op_fn)(unsigned);
__attribute__((noinline)) unsigned op_add(unsigned x) { return x + 1; }
__attribute__((noinline)) unsigned op_mul(unsigned x) { return x * 3 + (x >> 7); }
op_fn ops[2];
__attribute__((noinline)) unsigned apply_ops(unsigned n, unsigned x) {
#pragma clang loop unroll(disable)
  for (unsigned i = 0; i < n; ++i) x = ops[i & 1](x);
  return x;
}
int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000000u;
  unsigned r = 0;
  r += hot_loop(n);
  r += hot_loop(n + 1);
  r += hot_loop(n + 2);
  r += cold_fn(r);
  ops[0] = argc > 5 ? op_mul : op_add;
  ops[1] = op_mul;
  r += apply_ops(n / 16, r);
  printf("%u\n", r);
  return 0;
}
