// SPDX-License-Identifier: Apache-2.0
// Static functions whose call sites carry profile counts (checked through remarks).
__attribute__((noinline)) static int cold(int x) { return x * 3; }

__attribute__((noinline)) static int hot(int x) { return x % 5 ? x + 1 : cold(x); }

int work(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += hot(i);
  return s;
}
