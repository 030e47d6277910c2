// SPDX-License-Identifier: Apache-2.0
// tiny MODE N: a branchy loop whose hot paths depend on MODE (a or b), so profiles of the
// two modes differ; prints a checksum.
#include <stdio.h>
#include <stdlib.h>

static unsigned step(unsigned x, int mode) {
  if (mode == 'a') {
    if (x % 7 == 0) return x * 3 + 1;
    if (x % 5 == 0) return x / 5 + 11;
    return x + 17;
  }
  if (x % 3 == 0) return x ^ 0x5bd1e995u;
  return x * 2654435761u + 7;
}

int main(int argc, char** argv) {
  int mode = argc > 1 ? argv[1][0] : 'a';
  long n = argc > 2 ? atol(argv[2]) : 1000000;
  unsigned x = 1, sum = 0;
  for (long i = 0; i < n; ++i) {
    x = step(x, mode);
    sum += x & 0xff;
  }
  printf("checksum: %u\n", sum);
  return 0;
}
