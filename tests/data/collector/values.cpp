// SPDX-License-Identifier: Apache-2.0
// A program with value-profile sites for the collector tests: virtual calls, calls through
// a function-pointer table and memcpy of varying sizes. `values ROUNDS MS [wide]` does ROUNDS
// rounds of the same fixed work, sleeping MS milliseconds after each, prints "done", then
// waits for a byte (or EOF) on stdin and exits. Two runs with the same arguments execute
// exactly the same code. "wide" adds a call site with 12 targets whose favourites change
// every few rounds (to go past the runtime's per-site cap).
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual uint64_t area(uint64_t x) const = 0;
};
struct Square : Shape { uint64_t area(uint64_t x) const override { return x * x; } };
struct Rect : Shape { uint64_t area(uint64_t x) const override { return x * (x + 1); } };
struct Tri : Shape { uint64_t area(uint64_t x) const override { return x * x / 2; } };
struct Circle : Shape { uint64_t area(uint64_t x) const override { return 3 * x * x; } };
struct Hex : Shape { uint64_t area(uint64_t x) const override { return 5 * x + 7; } };

uint64_t op_add(uint64_t x) { return x + 3; }
uint64_t op_mul(uint64_t x) { return x * 5; }
uint64_t op_xor(uint64_t x) { return x ^ 0x55; }
uint64_t op_shift(uint64_t x) { return x >> 1; }

template <int N>
uint64_t wide(uint64_t x) { return x * N + N; }

uint64_t (*volatile g_ops[4])(uint64_t) = {op_add, op_mul, op_xor, op_shift};
uint64_t (*volatile g_wide[12])(uint64_t) = {wide<0>, wide<1>, wide<2>, wide<3>, wide<4>,  wide<5>,
                                             wide<6>, wide<7>, wide<8>, wide<9>, wide<10>, wide<11>};
volatile size_t g_sizes[7] = {1, 3, 8, 17, 64, 100, 300};

__attribute__((noinline)) uint64_t shapes_round(Shape* const* shapes, uint64_t r) {
  uint64_t s = 0;
  for (uint64_t i = 0; i < 2000; ++i) s += shapes[(i * 7 + r) % 5 == 0 ? 0 : (i + r) % 5]->area(i);
  return s;
}

__attribute__((noinline)) uint64_t ops_round(uint64_t r) {
  uint64_t s = r;
  for (uint64_t i = 0; i < 1500; ++i) s = g_ops[(i % 7 < 4) ? 0 : (i + r) % 4](s);
  return s;
}

__attribute__((noinline)) uint64_t copy_round(uint64_t r) {
  static char src[512], dst[512];
  uint64_t s = 0;
  for (uint64_t i = 0; i < 700; ++i) {
    size_t n = g_sizes[(i + r) % 7];
    src[i % 200] = static_cast<char>(i);
    std::memcpy(dst, src + (i % 100), n);
    s += static_cast<unsigned char>(dst[n - 1]);
  }
  return s;
}

__attribute__((noinline)) uint64_t wide_round(uint64_t r) {
  uint64_t s = r;
  for (uint64_t i = 0; i < 600; ++i) s += g_wide[(r / 3 + (i % 5 == 0 ? i : 0)) % 12](i);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: values ROUNDS MS [wide]\n");
    return 2;
  }
  long rounds = std::atol(argv[1]);
  long ms = std::atol(argv[2]);
  bool with_wide = argc > 3 && std::strcmp(argv[3], "wide") == 0;
  Square sq;
  Rect re;
  Tri tr;
  Circle ci;
  Hex hx;
  Shape* shapes[5] = {&sq, &re, &tr, &ci, &hx};
  volatile uint64_t sink = 0;
  for (long r = 0; r < rounds; ++r) {
    sink += shapes_round(shapes, r) + ops_round(r) + copy_round(r);
    if (with_wide) sink += wide_round(r);
    timespec pause{ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&pause, nullptr);
  }
  std::printf("done\n");
  std::fflush(stdout);
  char c;
  (void)!read(0, &c, 1);
  return 0;
}
