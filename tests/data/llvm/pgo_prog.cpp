// SPDX-License-Identifier: Apache-2.0
// A small program whose profile depends on its arguments: `pgo_prog N WORD`. The integration
// tests build it with clang -fprofile-instr-generate, run it with different inputs and merge the
// .profraw files. Building with -DPGO_PROG_VARIANT changes the control flow of classify() so
// its function hash differs between the two builds.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
struct Square : Shape {
  double side;
  explicit Square(double s) : side(s) {}
  double area() const override { return side * side; }
};
struct Circle : Shape {
  double radius;
  explicit Circle(double r) : radius(r) {}
  double area() const override { return 3.14159 * radius * radius; }
};

// A static function: clang keys it by file name in the profile.
static int classify(int value) {
#ifdef PGO_PROG_VARIANT
  if (value % 15 == 0) return 3;
#endif
  if (value % 5 == 0) return 2;
  if (value % 3 == 0) return 1;
  return 0;
}

template <typename T>
T sum_of(const std::vector<T>& values) {
  T total{};
  for (const T& v : values) total += v;
  return total;
}

int word_score(const std::string& word) {
  int score = 0;
  for (char c : word) {
    switch (c) {
      case 'a': case 'e': case 'i': case 'o': case 'u': score += 1; break;
      case 'z': case 'q': score += 10; break;
      default: score += 2;
    }
  }
  return score;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10;
  std::string word = argc > 2 ? argv[2] : "hello";
  std::vector<std::unique_ptr<Shape>> shapes;
  std::map<int, int> classes;
  std::vector<int> values;
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0) shapes.push_back(std::make_unique<Square>(i));
    else shapes.push_back(std::make_unique<Circle>(i));
    classes[classify(i)]++;
    values.push_back((i * 7919) % 1000);
  }
  std::sort(values.begin(), values.end());
  double area = 0;
  for (const auto& s : shapes) area += s->area();
  std::printf("n=%d area=%.1f sum=%d score=%d classes=%zu\n", n, area, sum_of(values),
              word_score(word), classes.size());
  return 0;
}
