// SPDX-License-Identifier: Apache-2.0
// pprof_merge_bench: merges pprof files with the pprof merge engine, one engine per worker
// folded together at the end (what the merge driver does), for benchmarks and tests:
//
//   pprof_merge_bench [-j N] [-w WEIGHT] [--uncompressed] -o OUT FILE...
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/fs.hpp"
#include "merger/pprof/pprof_engine.hpp"

namespace {

using pgopipe::Result;

Result<void> run(int jobs, double weight, const pgopipe::merge::MergeOptions& options, const std::string& out,
                 const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<pgopipe::merge::MergeEngine>> engines;
  for (int i = 0; i < jobs; ++i) {
    PGO_TRY_ASSIGN(auto engine, pgopipe::pprof_merge::make_pprof_engine(options, nullptr));
    engines.push_back(std::move(engine));
  }
  std::atomic<size_t> next{0};
  std::vector<std::optional<pgopipe::Error>> errors(static_cast<size_t>(jobs));
  auto worker = [&](size_t w) {
    for (size_t i = next++; i < files.size(); i = next++) {
      auto bytes = pgopipe::read_file(files[i]);
      auto added = bytes.ok() ? engines[w]->add(files[i], *bytes, weight) : Result<void>(bytes.error());
      if (!added.ok()) {
        errors[w] = added.error();
        next = files.size();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < engines.size(); ++w) threads.emplace_back(worker, w);
  worker(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) return *e;
  }
  for (size_t w = 1; w < engines.size(); ++w) PGO_TRY(engines[0]->absorb(*engines[w]));
  return engines[0]->write(out);
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 1;
  double weight = 1.0;
  std::string out;
  pgopipe::merge::MergeOptions options;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-j" && i + 1 < argc) jobs = std::max(1, std::atoi(argv[++i]));
    else if (a == "-w" && i + 1 < argc) weight = std::atof(argv[++i]);
    else if (a == "-o" && i + 1 < argc) out = argv[++i];
    else if (a == "--uncompressed") options.output_format = pgopipe::ProfileFormat::Pprof;
    else files.push_back(a);
  }
  if (out.empty() || files.empty()) {
    std::fprintf(stderr, "usage: pprof_merge_bench [-j N] [-w WEIGHT] [--uncompressed] -o OUT FILE...\n");
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  auto r = run(jobs, weight, options, out, files);
  if (!r.ok()) {
    std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
    return static_cast<int>(r.error().code);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "merged %zu profiles in %.3f s with %d worker(s)\n", files.size(), secs, jobs);
  return 0;
}
