// SPDX-License-Identifier: Apache-2.0
// How many parallel jobs the CPU limits of our cgroup allow: a build in a 2-CPU container
// on a 64-core host must not start 64 jobs. Reads cgroup v2 (cpu.max, cpuset.cpus.effective)
// and v1 (cpu.cfs_quota_us / cpu.cfs_period_us, cpuset.cpus) under a root directory, so
// tests can point it at a fake tree.
#pragma once

#include <filesystem>
#include <string>

namespace pgopipe::build {

struct CpuLimit {
  double quota_cpus = 0;     // CFS quota / period; 0 = no quota
  unsigned cpuset_cpus = 0;  // CPUs in the allowed cpuset; 0 = not restricted or unknown
  unsigned hardware = 1;     // the host's hardware concurrency
  unsigned jobs = 1;         // min(ceil(quota), cpuset, hardware), at least 1
  std::string source;        // which files decided, for logs ("cgroup v2 cpu.max: 2 CPUs")
};

// Reads <root>/proc/self/cgroup and the cgroup files under <root>/sys/fs/cgroup (walking up
// to the hierarchy root, as nested limits apply too). Missing files mean "no limit".
CpuLimit detect_cpu_limit(const std::filesystem::path& root, unsigned hardware);

// detect_cpu_limit("/", std::thread::hardware_concurrency()).jobs, logging what decided it:
// the job count of a build driver not given one.
unsigned default_build_jobs();

// Counts the CPUs of a cpuset list such as "0-3,8,10-11"; 0 if malformed or empty.
unsigned count_cpuset(const std::string& list);

}  // namespace pgopipe::build
