// SPDX-License-Identifier: Apache-2.0
// gen_profiles: writes N deterministic, service-sized Go-style CPU profiles (pprof, gzipped)
// for the merge benchmark. One synthetic "service" (thousands of functions in a main binary
// plus a libc mapping moved by ASLR per process) is sampled N times: stacks are random walks
// down a fixed call graph (shared hot prefixes, diverging deep tails), locations carry 1-3
// inline frames, some samples carry labels, ids and string order follow each profile's own
// first-use order as the Go runtime writes them.
//
//   gen_profiles --count 1000 --seed 42 --out DIR [--samples 1000]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/formats/pprof/pprof.hpp"

namespace {

namespace pp = pgopipe::pprof;

constexpr uint64_t kMainStart = 0x400000;
constexpr uint64_t kLibcSize = 0x1c0000;
constexpr size_t kFunctions = 4000;
constexpr size_t kLocations = 12000;
constexpr size_t kLibcLocations = 400;

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Service {
  std::vector<std::string> names, files;
  std::vector<int64_t> start_lines;
  // Location i: address offset and inline frames (function, line), innermost first.
  std::vector<std::vector<std::pair<uint32_t, int64_t>>> frames;

  explicit Service(uint64_t seed) {
    const char* verbs[] = {"Handle", "Serve", "Decode", "Encode", "Lookup", "Insert", "Marshal",
                           "Unmarshal", "Validate", "Compute", "Render", "Flush", "Dispatch", "Parse"};
    for (size_t f = 0; f < kFunctions; ++f) {
      uint64_t h = mix(seed ^ (f * 7919));
      size_t pkg = h % 180;
      names.push_back("github.com/acme/service/internal/pkg" + std::to_string(pkg) + ".(*Type" +
                      std::to_string((h >> 8) % 40) + ")." + verbs[(h >> 16) % 14] + std::to_string(f));
      files.push_back("/build/service/internal/pkg" + std::to_string(pkg) + "/file" +
                      std::to_string((h >> 24) % 12) + ".go");
      start_lines.push_back(static_cast<int64_t>(10 + (h >> 32) % 2000));
    }
    for (size_t l = 0; l < kLocations + kLibcLocations; ++l) {
      uint64_t h = mix(seed ^ (l * 104729 + 1));
      size_t depth = 1 + (h % 10 < 6 ? 0 : (h % 10 < 9 ? 1 : 2));  // 60% 1, 30% 2, 10% 3 frames
      std::vector<std::pair<uint32_t, int64_t>> fr;
      for (size_t d = 0; d < depth; ++d) {
        uint32_t fn = static_cast<uint32_t>(mix(h + d) % kFunctions);
        fr.emplace_back(fn, start_lines[fn] + static_cast<int64_t>(mix(h + d + 99) % 300));
      }
      frames.push_back(std::move(fr));
    }
  }
};

// The location reached from `parent` by taking its `choice`-th callee.
uint32_t callee(uint32_t parent, uint32_t choice, size_t depth) {
  uint64_t h = mix(uint64_t{parent} * 31 + choice + (depth / 8) * 1000003);
  return static_cast<uint32_t>(h % kLocations);
}

pp::Profile make_profile(const Service& svc, uint64_t seed, size_t index, size_t samples) {
  std::mt19937_64 rng(seed * 1000003 + index);
  pp::Profile p;
  pp::StringTable strings(p);
  auto vt = [&](pp::ValueType* v, const char* type, const char* unit) {
    v->set_type(strings.intern(type));
    v->set_unit(strings.intern(unit));
  };
  vt(p.add_sample_type(), "samples", "count");
  vt(p.add_sample_type(), "cpu", "nanoseconds");
  vt(p.mutable_period_type(), "cpu", "nanoseconds");
  p.set_period(10'000'000);
  p.set_time_nanos(1'790'000'000'000'000'000 + static_cast<int64_t>(index) * 60'000'000'000);
  p.set_duration_nanos(60'000'000'000);
  uint64_t libc_start = 0x7f0000000000 + ((rng() % 0x10000) << 12);  // ASLR
  for (int m = 0; m < 2; ++m) {
    auto* map = p.add_mapping();
    map->set_id(static_cast<uint64_t>(m + 1));
    map->set_memory_start(m == 0 ? kMainStart : libc_start);
    map->set_memory_limit(m == 0 ? kMainStart + 0x2000000 : libc_start + kLibcSize);
    map->set_filename(strings.intern(m == 0 ? "/usr/local/bin/service" : "/usr/lib/x86_64-linux-gnu/libc.so.6"));
    map->set_build_id(strings.intern(m == 0 ? "5f0c2e7a9b1d4c3e8f6a0b2c4d6e8f00" : "a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    map->set_has_functions(true);
  }
  std::unordered_map<uint32_t, uint64_t> loc_ids, fn_ids;
  auto location = [&](uint32_t l) -> uint64_t {
    auto [it, fresh] = loc_ids.try_emplace(l, loc_ids.size() + 1);
    if (!fresh) return it->second;
    auto* loc = p.add_location();
    loc->set_id(it->second);
    bool libc = l >= kLocations;
    loc->set_mapping_id(libc ? 2 : 1);
    loc->set_address(libc ? libc_start + 0x28000 + (l - kLocations) * 48 : kMainStart + 0x1000 + uint64_t{l} * 24);
    for (auto [fn, line] : svc.frames[l]) {
      auto [fit, ffresh] = fn_ids.try_emplace(fn, fn_ids.size() + 1);
      if (ffresh) {
        auto* f = p.add_function();
        f->set_id(fit->second);
        f->set_name(strings.intern(svc.names[fn]));
        f->set_system_name(f->name());
        f->set_filename(strings.intern(svc.files[fn]));
        f->set_start_line(svc.start_lines[fn]);
      }
      auto* ln = loc->add_line();
      ln->set_function_id(fit->second);
      ln->set_line(line);
    }
    return it->second;
  };
  const char* endpoints[] = {"/api/v1/users", "/api/v1/orders", "/api/v1/search", "/healthz"};
  std::vector<uint32_t> path;
  for (size_t s = 0; s < samples; ++s) {
    // Walk down from one of 40 roots; hot paths (choice 0/1) dominate, tails diverge.
    size_t depth = 8 + rng() % 28;
    path.clear();
    uint32_t node = static_cast<uint32_t>(rng() % 40);
    path.push_back(node);
    for (size_t d = 1; d < depth; ++d) {
      uint64_t r = rng() % 100;
      uint32_t choice = r < 72 ? 0 : r < 90 ? 1 : r < 97 ? 2 : static_cast<uint32_t>(3 + rng() % 6);
      node = callee(node, choice, d);
      path.push_back(node);
    }
    if (rng() % 5 == 0) path.push_back(static_cast<uint32_t>(kLocations + rng() % kLibcLocations));
    auto* sample = p.add_sample();
    for (auto it = path.rbegin(); it != path.rend(); ++it) sample->add_location_id(location(*it));  // leaf first
    int64_t count = 1 + static_cast<int64_t>(rng() % 4);
    sample->add_value(count);
    sample->add_value(count * 10'000'000);
    if (rng() % 3 == 0) {
      auto* label = sample->add_label();
      label->set_key(strings.intern("endpoint"));
      label->set_str(strings.intern(endpoints[rng() % 4]));
    }
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 1000, samples = 1000;
  uint64_t seed = 42;
  std::filesystem::path out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--count") count = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--samples") samples = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--out") out = argv[i + 1];
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: gen_profiles --count N --seed S --out DIR [--samples M]\n");
    return 2;
  }
  std::filesystem::create_directories(out);
  Service svc(seed);
  for (size_t i = 0; i < count; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "gen-%04zu.pb.gz", i);
    // Benchmark inputs need no fsync: plain writes keep generation quick.
    auto bytes = pp::serialize(make_profile(svc, seed, i, samples));
    std::ofstream f(out / name, std::ios::binary);
    if (!bytes.ok() || !f.write(bytes->data(), static_cast<std::streamsize>(bytes->size()))) {
      std::fprintf(stderr, "error: cannot write %s\n", (out / name).c_str());
      return 1;
    }
  }
  return 0;
}
