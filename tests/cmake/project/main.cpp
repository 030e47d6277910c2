// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <cstdlib>

int work(int n);

// A static function with a loop: its profile must apply wherever the project is built.
__attribute__((noinline)) static int helper(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += i % 7;
  return s;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::printf("%d %d\n", helper(n), work(n));
  return 0;
}
