// SPDX-License-Identifier: Apache-2.0
#include "builder/cgroup.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace pgopipe::build {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_trimmed(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::optional<long long> parse_int(const std::string& s) {
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// /proc/self/cgroup: "0::/path" for v2, "N:cpu,cpuacct:/path" for v1 controllers.
struct Membership {
  std::optional<std::string> v2;
  std::map<std::string, std::string> v1;
};

Membership read_membership(const fs::path& root) {
  Membership m;
  std::ifstream in(root / "proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      m.v2 = path;
      continue;
    }
    std::stringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ',')) m.v1[c] = path;
  }
  return m;
}

// The cgroup's directory and its ancestors up to the mount point. Inside a container the
// path names the host's hierarchy while the mount shows only our own cgroup: then the
// mount point itself is our cgroup.
std::vector<fs::path> chain(const fs::path& mount, const std::string& cgroup_path) {
  fs::path rel = fs::path(cgroup_path).relative_path();
  std::error_code ec;
  if (!fs::is_directory(mount / rel, ec)) return {mount};
  std::vector<fs::path> dirs;
  while (true) {
    dirs.push_back(rel.empty() ? mount : mount / rel);
    if (rel.empty()) break;
    rel = rel.parent_path();
  }
  return dirs;
}

void take_quota(CpuLimit& limit, double cpus, const std::string& source) {
  if (cpus <= 0) return;
  if (limit.quota_cpus == 0 || cpus < limit.quota_cpus) {
    limit.quota_cpus = cpus;
    limit.source = source;
  }
}

void take_cpuset(CpuLimit& limit, const std::vector<fs::path>& dirs, const char* file) {
  for (const auto& dir : dirs) {
    auto text = read_trimmed(dir / file);
    if (!text || text->empty()) continue;
    unsigned n = count_cpuset(*text);
    if (n > 0) limit.cpuset_cpus = n;
    return;
  }
}

void read_v2(CpuLimit& limit, const fs::path& mount, const std::string& path) {
  auto dirs = chain(mount, path);
  for (const auto& dir : dirs) {
    auto text = read_trimmed(dir / "cpu.max");
    if (!text) continue;
    std::istringstream fields(*text);
    std::string quota, period;
    fields >> quota >> period;
    auto q = parse_int(quota);
    auto p = parse_int(period);
    if (quota == "max" || !q || !p || *p <= 0) continue;
    take_quota(limit, static_cast<double>(*q) / static_cast<double>(*p),
               fmt::format("cgroup v2 {}", (dir / "cpu.max").string()));
  }
  take_cpuset(limit, dirs, "cpuset.cpus.effective");
}

void read_v1(CpuLimit& limit, const fs::path& cgroup_root, const Membership& m) {
  if (auto it = m.v1.find("cpu"); it != m.v1.end()) {
    for (const char* name : {"cpu,cpuacct", "cpu", "cpuacct,cpu"}) {
      fs::path mount = cgroup_root / name;
      std::error_code ec;
      if (!fs::is_directory(mount, ec)) continue;
      for (const auto& dir : chain(mount, it->second)) {
        auto quota = read_trimmed(dir / "cpu.cfs_quota_us");
        auto period = read_trimmed(dir / "cpu.cfs_period_us");
        if (!quota || !period) continue;
        auto q = parse_int(*quota);
        auto p = parse_int(*period);
        if (!q || !p || *q <= 0 || *p <= 0) continue;  // -1: unlimited
        take_quota(limit, static_cast<double>(*q) / static_cast<double>(*p),
                   fmt::format("cgroup v1 {}", (dir / "cpu.cfs_quota_us").string()));
      }
      break;
    }
  }
  if (auto it = m.v1.find("cpuset"); it != m.v1.end()) {
    auto dirs = chain(cgroup_root / "cpuset", it->second);
    take_cpuset(limit, dirs, "cpuset.effective_cpus");
    if (limit.cpuset_cpus == 0) take_cpuset(limit, dirs, "cpuset.cpus");
  }
}

}  // namespace

unsigned count_cpuset(const std::string& list) {
  unsigned total = 0;
  std::stringstream ranges(list);
  std::string range;
  while (std::getline(ranges, range, ',')) {
    size_t dash = range.find('-');
    auto lo = parse_int(range.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_int(range.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo) return 0;
    total += static_cast<unsigned>(*hi - *lo + 1);
  }
  return total;
}

CpuLimit detect_cpu_limit(const fs::path& root, unsigned hardware) {
  CpuLimit limit;
  limit.hardware = std::max(1u, hardware);
  const fs::path cgroup_root = root / "sys/fs/cgroup";
  Membership m = read_membership(root);
  if (m.v2 && m.v1.empty()) {
    read_v2(limit, cgroup_root, *m.v2);
  } else {
    read_v1(limit, cgroup_root, m);
    if (m.v2 && limit.quota_cpus == 0) read_v2(limit, cgroup_root / "unified", *m.v2);
  }
  limit.jobs = limit.hardware;
  if (limit.quota_cpus > 0) {
    limit.jobs = std::min(limit.jobs, static_cast<unsigned>(std::ceil(limit.quota_cpus)));
  }
  if (limit.cpuset_cpus > 0) limit.jobs = std::min(limit.jobs, limit.cpuset_cpus);
  limit.jobs = std::max(1u, limit.jobs);
  if (limit.source.empty()) limit.source = "no CPU quota";
  return limit;
}

unsigned default_build_jobs() {
  CpuLimit limit = detect_cpu_limit("/", std::thread::hardware_concurrency());
  spdlog::info("building with {} job(s) ({}, {} hardware threads)", limit.jobs, limit.source, limit.hardware);
  return limit.jobs;
}

}  // namespace pgopipe::build
