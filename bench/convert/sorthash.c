// SPDX-License-Identifier: Apache-2.0
// Benchmark workload: an open-addressing hash table counting keys, then a hand-written
// merge sort of the entries by count with a comparator call per comparison. Usage: sorthash N
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { unsigned long key; long count; int used; } Slot;

static unsigned long hash_key(unsigned long k) {
  k ^= k >> 33; k *= 0xff51afd7ed558ccdUL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53UL;
  return k ^ (k >> 33);
}

__attribute__((noinline)) static void grow_error(size_t n) {
  fprintf(stderr, "table full at %zu\n", n);
  exit(2);
}

static void insert(Slot *t, size_t cap, unsigned long key) {
  size_t i = hash_key(key) & (cap - 1);
  for (size_t probes = 0;; ++probes) {
    if (probes == cap) grow_error(cap);
    if (!t[i].used) { t[i].used = 1; t[i].key = key; t[i].count = 1; return; }
    if (t[i].key == key) { t[i].count++; return; }
    i = (i + 1) & (cap - 1);
  }
}

__attribute__((noinline)) static int cmp(const Slot *a, const Slot *b) {
  if (a->count != b->count) return a->count > b->count ? -1 : 1;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  return 0;
}

static void merge_sort(Slot *a, Slot *tmp, size_t n) {
  if (n < 2) return;
  if (n <= 8) {  // insertion sort for small runs
    for (size_t i = 1; i < n; ++i) {
      Slot v = a[i]; size_t j = i;
      while (j > 0 && cmp(&v, &a[j - 1]) < 0) { a[j] = a[j - 1]; --j; }
      a[j] = v;
    }
    return;
  }
  size_t h = n / 2;
  merge_sort(a, tmp, h);
  merge_sort(a + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
  while (i < h) tmp[k++] = a[i++];
  while (j < n) tmp[k++] = a[j++];
  memcpy(a, tmp, n * sizeof *a);
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], 0, 10) : 4000000;
  size_t cap = 1; while (cap < n) cap <<= 1;
  Slot *t = calloc(cap, sizeof *t), *tmp = malloc(cap * sizeof *t);
  unsigned long x = 88172645463325252UL, sum = 0;
  for (int round = 0; round < 4; ++round) {
    memset(t, 0, cap * sizeof *t);
    for (size_t i = 0; i < n; ++i) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      insert(t, cap, x % (n / 3 + 1));
    }
    size_t m = 0;
    for (size_t i = 0; i < cap; ++i) if (t[i].used) t[m++] = t[i];
    merge_sort(t, tmp, m);
    sum += t[0].key + (unsigned long)t[m / 2].count;
  }
  printf("%lu\n", sum);
  free(t); free(tmp);
  return 0;
}
