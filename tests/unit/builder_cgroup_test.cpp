// SPDX-License-Identifier: Apache-2.0
#include "builder/cgroup.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/fs.hpp"

namespace pgopipe::build {
namespace {
namespace fs = std::filesystem;

// A fake root with proc/self/cgroup and files under sys/fs/cgroup.
class FakeRoot : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  ScratchDir scratch_{"pgopipe-cgroup"};
  fs::path root_ = scratch_.path();
};

TEST_F(FakeRoot, V2QuotaLimitsJobs) {
  write("proc/self/cgroup", "0::/ci/job\n");
  write("sys/fs/cgroup/ci/job/cpu.max", "200000 100000\n");
  CpuLimit l = detect_cpu_limit(root_, 64);
  EXPECT_DOUBLE_EQ(l.quota_cpus, 2.0);
  EXPECT_EQ(l.jobs, 2u);
  EXPECT_NE(l.source.find("cpu.max"), std::string::npos);
}

TEST_F(FakeRoot, V2FractionalQuotaRoundsUp) {
  write("proc/self/cgroup", "0::/\n");
  write("sys/fs/cgroup/cpu.max", "150000 100000\n");
  EXPECT_EQ(detect_cpu_limit(root_, 64).jobs, 2u);
}

TEST_F(FakeRoot, V2ParentLimitAppliesToChild) {
  write("proc/self/cgroup", "0::/outer/inner\n");
  write("sys/fs/cgroup/outer/inner/cpu.max", "max 100000\n");
  write("sys/fs/cgroup/outer/cpu.max", "300000 100000\n");
  EXPECT_EQ(detect_cpu_limit(root_, 64).jobs, 3u);
}

TEST_F(FakeRoot, V2UnlimitedUsesHardware) {
  write("proc/self/cgroup", "0::/user.slice\n");
  write("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
  CpuLimit l = detect_cpu_limit(root_, 8);
  EXPECT_EQ(l.quota_cpus, 0.0);
  EXPECT_EQ(l.jobs, 8u);
}

TEST_F(FakeRoot, V2CpusetLimitsJobs) {
  write("proc/self/cgroup", "0::/pinned\n");
  write("sys/fs/cgroup/pinned/cpu.max", "max 100000\n");
  write("sys/fs/cgroup/pinned/cpuset.cpus.effective", "0-2,7\n");
  CpuLimit l = detect_cpu_limit(root_, 64);
  EXPECT_EQ(l.cpuset_cpus, 4u);
  EXPECT_EQ(l.jobs, 4u);
}

TEST_F(FakeRoot, V2ContainerSeesOnlyItsOwnCgroupAtTheMount) {
  // Inside a container the path names the host hierarchy; the mount is our cgroup.
  write("proc/self/cgroup", "0::/system.slice/docker-abc.scope\n");
  write("sys/fs/cgroup/cpu.max", "100000 100000\n");
  EXPECT_EQ(detect_cpu_limit(root_, 64).jobs, 1u);
}

TEST_F(FakeRoot, V1QuotaLimitsJobs) {
  write("proc/self/cgroup", "12:cpu,cpuacct:/docker/abc\n5:cpuset:/docker/abc\n1:name=systemd:/x\n");
  write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "400000\n");
  write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  CpuLimit l = detect_cpu_limit(root_, 64);
  EXPECT_DOUBLE_EQ(l.quota_cpus, 4.0);
  EXPECT_EQ(l.jobs, 4u);
  EXPECT_NE(l.source.find("cgroup v1"), std::string::npos);
}

TEST_F(FakeRoot, V1UnlimitedQuotaAndCpuset) {
  write("proc/self/cgroup", "12:cpu,cpuacct:/\n5:cpuset:/\n");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  write("sys/fs/cgroup/cpuset/cpuset.cpus", "0-5\n");
  CpuLimit l = detect_cpu_limit(root_, 64);
  EXPECT_EQ(l.quota_cpus, 0.0);
  EXPECT_EQ(l.jobs, 6u);
}

TEST_F(FakeRoot, V1UnlimitedUsesHardware) {
  write("proc/self/cgroup", "12:cpu,cpuacct:/\n");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(detect_cpu_limit(root_, 12).jobs, 12u);
}

TEST_F(FakeRoot, NoCgroupFilesUsesHardwareAndAtLeastOneJob) {
  EXPECT_EQ(detect_cpu_limit(root_, 16).jobs, 16u);
  EXPECT_EQ(detect_cpu_limit(root_, 0).jobs, 1u);
}

TEST_F(FakeRoot, QuotaNeverRaisesAboveHardware) {
  write("proc/self/cgroup", "0::/\n");
  write("sys/fs/cgroup/cpu.max", "3200000 100000\n");
  EXPECT_EQ(detect_cpu_limit(root_, 4).jobs, 4u);
}

TEST(CountCpuset, ParsesListsAndRejectsGarbage) {
  EXPECT_EQ(count_cpuset("0"), 1u);
  EXPECT_EQ(count_cpuset("0-3,8,10-11"), 7u);
  EXPECT_EQ(count_cpuset("3-1"), 0u);
  EXPECT_EQ(count_cpuset("a-b"), 0u);
}

// `nproc` (coreutils) is the oracle where no CPU quota applies; under a quota the job count
// can only be lower.
TEST(DefaultBuildJobs, MatchesNprocWithoutAQuota) {
  std::string out;
  if (FILE* p = ::popen("nproc", "r")) {
    char buf[64];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ASSERT_EQ(::pclose(p), 0);
  }
  unsigned nproc = static_cast<unsigned>(std::stoul(out));
  auto quota_set = [](const char* file, const std::string& unlimited) {
    std::ifstream in(file);
    std::string first;
    return in >> first && first != unlimited;
  };
  bool quota = quota_set("/sys/fs/cgroup/cpu.max", "max") ||
               quota_set("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1") ||
               quota_set("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1");
  if (quota) {
    EXPECT_LE(default_build_jobs(), nproc);
    EXPECT_GE(default_build_jobs(), 1u);
  } else {
    EXPECT_EQ(default_build_jobs(), nproc);
  }
}

}  // namespace
}  // namespace pgopipe::build
