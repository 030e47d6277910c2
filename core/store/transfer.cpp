// SPDX-License-Identifier: Apache-2.0
#include "core/store/transfer.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include <spdlog/spdlog.h>

#include "core/fs.hpp"
#include "core/parallel.hpp"
#include "core/store/rollup_listing.hpp"

namespace pgopipe::store {

namespace fs = std::filesystem;

Result<std::vector<PushResult>> push_files(Store& store, const std::vector<PushItem>& items,
                                           int concurrency) {
  std::vector<PushResult> results(items.size());
  PGO_TRY(parallel_for(items.size(), concurrency, [&](size_t i) -> Result<void> {
    const PushItem& item = items[i];
    PGO_TRY_ASSIGN(std::string bytes, read_file(item.file));
    ProfileMeta meta = item.meta;
    auto put = store.put(meta, bytes);
    if (!put) return put.error().context(item.file.string());
    PGO_TRY(complete_meta(meta, bytes));
    spdlog::debug("pushed {} as {}", item.file.string(), *put);
    results[i] = {item.file, *put, std::move(meta)};
    return success();
  }));
  return results;
}

Result<PullResult> pull_window(Store& store, const Query& q, const fs::path& dir, int concurrency,
                               const ProgressFn& progress) {
  PullResult result;
  PGO_TRY_ASSIGN(std::vector<StoredObject> objects, list_profiles(store, q, &result.damaged));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create {}: {}", dir.string(), ec.message());
  result.files.resize(objects.size());
  std::atomic<size_t> done{0};
  std::atomic<uint64_t> bytes{0};
  std::vector<char> gone(objects.size(), 0);
  auto pulled = parallel_for(objects.size(), concurrency, [&](size_t i) -> Result<void> {
    const std::string& key = objects[i].key;
    auto fetched = store.get(key);
    if (!fetched && fetched.error().code == ErrorCode::NotFound) {
      // Removed after the listing (gc, a retention policy): there is nothing to corrupt.
      gone[i] = 1;
      size_t n = ++done;
      if (progress) progress(n, objects.size(), bytes.load());
      return success();
    }
    PGO_TRY_ASSIGN(Blob blob, std::move(fetched));
    std::string name = key;
    std::replace(name.begin(), name.end(), '/', '_');
    fs::path target = dir / name;
    PGO_TRY(write_file_atomic(target, blob.bytes));
    result.files[i] = target;
    bytes += blob.bytes.size();
    size_t n = ++done;
    if (progress) progress(n, objects.size(), bytes.load());
    return success();
  });
  if (!pulled) {
    // Files already completed are whole and verified; they stay. Nothing partial exists.
    return pulled.error();
  }
  result.bytes = bytes.load();
  std::vector<fs::path> files;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (gone[i]) {
      result.vanished.push_back(objects[i].key);
    } else {
      files.push_back(std::move(result.files[i]));
    }
  }
  result.files = std::move(files);
  return result;
}

Result<std::vector<StoredObject>> list_older_than(Store& store, const std::string& app, TimePoint cutoff,
                                                  std::vector<DamagedObject>* damaged) {
  Query q;
  q.app = app;
  // Profiles before 2000 cannot exist; listing from there keeps the partition walk bounded.
  q.window = Window{TimePoint{std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}}, cutoff};
  return store.list(q, damaged);
}

Result<void> remove_objects(Store& store, const std::vector<StoredObject>& objects, int concurrency) {
  return parallel_for(objects.size(), concurrency, [&](size_t i) { return store.remove(objects[i].key); });
}

ProgressFn terminal_progress(std::string label) {
  if (!::isatty(STDERR_FILENO)) return {};
  auto mu = std::make_shared<std::mutex>();
  return [label = std::move(label), mu](size_t done, size_t total, uint64_t bytes) {
    std::lock_guard lock(*mu);
    constexpr int kWidth = 30;
    int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
    std::fprintf(stderr, "\r%s [%-*s] %zu/%zu  %.1f MiB", label.c_str(), kWidth,
                 std::string(static_cast<size_t>(filled), '#').c_str(), done, total,
                 static_cast<double>(bytes) / (1 << 20));
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

}  // namespace pgopipe::store
