// SPDX-License-Identifier: Apache-2.0
// Benchmark workload: virtual-dispatch style code (a table of function pointers, one hot
// target per call site), small helpers worth inlining, and cold validation paths. PGO wins
// here through indirect-call promotion and inlining. Usage: shapes N
#include <stdio.h>
#include <stdlib.h>

typedef struct { int kind; double a, b; } Shape;
typedef double (*AreaFn)(const Shape *);

__attribute__((noinline)) static void invalid(const Shape *s) {
  fprintf(stderr, "invalid shape kind %d (%f, %f)\n", s->kind, s->a, s->b);
  abort();
}
static double check(const Shape *s, double v) {
  if (v < 0 || s->a < 0 || s->b < 0) invalid(s);
  return v;
}
__attribute__((noinline)) double area_square(const Shape *s) { return check(s, s->a * s->a); }
__attribute__((noinline)) double area_rect(const Shape *s) { return check(s, s->a * s->b); }
__attribute__((noinline)) double area_tri(const Shape *s) { return check(s, 0.5 * s->a * s->b); }
__attribute__((noinline)) double area_circle(const Shape *s) { return check(s, 3.14159 * s->a * s->a); }
__attribute__((noinline)) double area_ellipse(const Shape *s) { return check(s, 3.14159 * s->a * s->b); }
__attribute__((noinline)) double area_trap(const Shape *s) { return check(s, 0.5 * (s->a + s->b) * s->a); }

AreaFn table[6] = {area_square, area_rect, area_tri, area_circle, area_ellipse, area_trap};

__attribute__((noinline)) double total(const Shape *s, size_t n, AreaFn *t) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += t[s[i].kind](&s[i]);
    if (sum > 1e300) invalid(&s[i]);
  }
  return sum;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], 0, 10) : 20000;
  Shape *s = malloc(n * sizeof *s);
  unsigned x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    // 94% rectangles, the rest spread over the other kinds.
    s[i].kind = (x >> 16) % 100 < 94 ? 1 : (int)((x >> 8) % 6);
    s[i].a = (x & 255) / 16.0;
    s[i].b = ((x >> 8) & 255) / 16.0;
  }
  double r = 0;
  for (int rep = 0; rep < 20000; ++rep) r += total(s, n, table);
  printf("%f\n", r);
  free(s);
  return 0;
}
