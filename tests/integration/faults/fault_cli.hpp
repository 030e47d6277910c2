// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the fault suites: run the real pgopipe binary against a backend, write
// distinct profile bytes, and check a directory or a store for complete objects only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/fs.hpp"
#include "tests/integration/store_backends.hpp"

namespace pgopipe::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs `pgopipe ARGS --store <backend>` with the backend's credentials and `env` on top.
inline RunResult pgopipe_run(const Backend& backend, std::vector<std::string> args,
                             const std::map<std::string, std::string>& env = {},
                             std::chrono::seconds timeout = 120s) {
  std::vector<std::string> argv{PGOPIPE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--store", backend.url});
  std::map<std::string, std::string> full{{"PGOPIPE_CONFIG", ""}, {"PGOPIPE_STORE", ""}};
  if (backend.s3) {
    for (const auto& [k, v] : backend.s3->client_env()) full[k] = v;
  }
  for (const auto& [k, v] : env) full[k] = v;
  return run_process(argv, full, timeout);
}

inline std::string describe(const RunResult& r) {
  return fmt::format("exit {} after {} ms\nstdout:\n{}\nstderr:\n{}", r.exit_code,
                     r.elapsed.count(), r.out, r.err);
}

// `n` bytes that differ from every other call's (a counter and random hex, repeated).
inline std::string distinct_bytes(size_t n) {
  static int counter = 0;
  std::string seed = fmt::format("profile-{}-{}|", ++counter, random_hex(8));
  std::string out;
  out.reserve(n);
  while (out.size() < n) out += seed;
  out.resize(n);
  return out;
}

inline std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every file in `dir` is complete: no temp file, and its sha256 is one of `pushed`.
// Returns the sha256 of each file.
inline std::multiset<std::string> expect_only_complete_files(const fs::path& dir,
                                                             const std::set<std::string>& pushed) {
  std::multiset<std::string> seen;
  for (const auto& f : files_in(dir)) {
    EXPECT_NE(f.filename().string().front(), '.') << "temp file left behind: " << f;
    auto bytes = read_file(f);
    if (!bytes) {
      ADD_FAILURE() << bytes.error().message;
      continue;
    }
    std::string digest = sha256_hex(*bytes);
    EXPECT_TRUE(pushed.contains(digest)) << f << " is not a complete pushed profile ("
                                         << bytes->size() << " bytes)";
    seen.insert(digest);
  }
  return seen;
}

}  // namespace pgopipe::test
