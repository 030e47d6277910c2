// SPDX-License-Identifier: Apache-2.0
#include "rebuild/rebuild_config.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"

namespace pgopipe {
namespace {
namespace fs = std::filesystem;

class RebuildConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "src"); }
  Result<rebuild::RebuildConfig> load(const std::string& text) {
    EXPECT_TRUE(write_file_atomic(dir_ / "pgo.yaml", text).ok());
    return rebuild::load_rebuild_config(dir_ / "pgo.yaml");
  }
  ScratchDir scratch_{"pgopipe-rebuild-config"};
  fs::path dir_ = scratch_.path();
};

constexpr const char* kMinimal =
    "app: demo\n"
    "build: {source: ./src}\n"
    "benchmark: {command: ['{build_dir}/service', --quiet]}\n";

TEST_F(RebuildConfigTest, DefaultsAndPathsRelativeToTheFile) {
  auto c = load(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->app, "demo");
  EXPECT_EQ(c->source_dir, dir_ / "src");
  EXPECT_EQ(c->build_dir, dir_ / "pgopipe-build");
  EXPECT_EQ(c->report_dir, dir_ / "pgopipe-report");
  EXPECT_EQ(c->min_runs, 10);
  EXPECT_EQ(c->max_runs, 60);
  EXPECT_EQ(c->max_time, std::chrono::minutes{15});
  EXPECT_EQ(c->metric, "cpu");
  EXPECT_DOUBLE_EQ(c->max_slowdown, 0.02);
  EXPECT_DOUBLE_EQ(c->unchanged_above, 0.99);
  EXPECT_EQ(c->lock_ttl, std::chrono::hours{2});
  EXPECT_EQ(c->bench_command, (std::vector<std::string>{"{build_dir}/service", "--quiet"}));
}

TEST_F(RebuildConfigTest, FullShape) {
  auto c = load(std::string(kMinimal) +
                "store: s3://bucket/prefix\n"
                "s3: {endpoint: 'http://127.0.0.1:9000', region: eu-west-1}\n"
                "window: {since: 24h, until: now, half_life: 6h, labels: {env: prod}, kind: instr}\n"
                "gate: {max_slowdown: 0.05}\ncompare: {unchanged_above: 0.95}\nlock: {ttl: 30m}\n"
                "report: {dir: out}\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store, "s3://bucket/prefix");
  EXPECT_EQ(c->s3.at("s3.region").first, "eu-west-1");
  EXPECT_EQ(c->labels.at("env"), "prod");
  EXPECT_EQ(c->half_life, std::chrono::hours{6});
  EXPECT_EQ(c->kind, ProfileFamily::Instr);
  EXPECT_DOUBLE_EQ(c->max_slowdown, 0.05);
  EXPECT_EQ(c->lock_ttl, std::chrono::minutes{30});
  EXPECT_EQ(c->report_dir, dir_ / "out");
}

TEST_F(RebuildConfigTest, DockerBuildsNeedAnImage) {
  auto none = load("app: demo\nbuild: {kind: docker, source: .}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("build.image"), std::string::npos) << none.error().message;
  auto ok = load("app: demo\nbuild: {kind: docker, source: ., image: svc, dockerfile: d/Dockerfile}\n"
                 "benchmark: {command: [docker, run, '{image}']}\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->image, "svc");
  EXPECT_EQ(ok->dockerfile, dir_ / "d" / "Dockerfile");
  auto bad = load("app: demo\nbuild: {kind: bazel, source: .}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("pgo.yaml:2: build.kind: 'bazel' is not one of cmake, docker, go"),
            std::string::npos) << bad.error().message;
}

TEST_F(RebuildConfigTest, GoBuildsTakeAPackageAndPprofOnly) {
  auto ok = load("app: svc\nbuild: {kind: go, source: ./src, package: ./cmd/server, go: ./bin/go}\n"
                 "benchmark: {command: ['{binary}', -bench, '100']}\npublish: {binary: true}\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->build_kind, "go");
  EXPECT_EQ(ok->go_package, "./cmd/server");
  EXPECT_EQ(ok->go, (dir_ / "bin/go").string());
  auto instr = load("app: svc\nwindow: {kind: instr}\nbuild: {kind: go, source: ./src}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(instr.ok());
  EXPECT_NE(instr.error().message.find("build.kind go needs pprof CPU profiles; window.kind is instr"),
            std::string::npos) << instr.error().message;
  auto imported = load("app: svc\nbuild: {kind: go, source: ./src, package: example.com/x}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error().message.find("build.package 'example.com/x'"), std::string::npos);
  auto cmake = load("app: svc\nbuild: {source: ./src, package: ./cmd/server}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(cmake.ok());
  EXPECT_NE(cmake.error().message.find("build.package needs build.kind go"), std::string::npos);
  auto image = load("app: svc\nbuild: {kind: docker, source: ./src, image: svc, profile: pprof}\nbenchmark: {command: [x]}\n");
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_TRUE(rebuild::takes_pprof(*image));
  auto llvm_image = load("app: svc\nbuild: {kind: docker, source: ./src, image: svc}\nbenchmark: {command: [x]}\n");
  ASSERT_TRUE(llvm_image.ok()) << llvm_image.error().message;
  EXPECT_FALSE(rebuild::takes_pprof(*llvm_image));
  auto cmake_pprof = load("app: svc\nbuild: {source: ./src, profile: pprof}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(cmake_pprof.ok());
  EXPECT_NE(cmake_pprof.error().message.find("build.profile needs build.kind docker"), std::string::npos);
}

TEST_F(RebuildConfigTest, AMissingSourceIsAConfigErrorBeforeAnythingRuns) {
  auto c = load("app: demo\nbuild: {source: ./no-such-dir}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::Config);
  EXPECT_NE(c.error().message.find("pgo.yaml:2: build.source: " + (dir_ / "no-such-dir").string() +
                                   " is not a directory"), std::string::npos) << c.error().message;
}

TEST_F(RebuildConfigTest, UnknownKeyNamesFileLineAndKey) {
  auto c = load(std::string(kMinimal) + "gate:\n  max_slowdown: 0.1\n  speedup: 2\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::Config);
  EXPECT_NE(c.error().message.find("pgo.yaml:6: gate.speedup: unknown key"), std::string::npos)
      << c.error().message;
}

TEST_F(RebuildConfigTest, WrongTypesNameFileLineAndKey) {
  auto c = load(std::string(kMinimal) + "gate: {max_slowdown: lots}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("pgo.yaml:4: gate.max_slowdown: 'lots' is not valid"),
            std::string::npos) << c.error().message;
  auto list = load("app: demo\nbuild: {source: ., args: -O2}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.error().message.find("pgo.yaml:2: build.args: expected a list"), std::string::npos)
      << list.error().message;
  auto section = load(std::string(kMinimal) + "window: 24h\n");
  ASSERT_FALSE(section.ok());
  EXPECT_NE(section.error().message.find("pgo.yaml:4: window: expected a mapping"), std::string::npos)
      << section.error().message;
}

TEST_F(RebuildConfigTest, MissingRequiredKeysAndBadValues) {
  auto missing = load("app: demo\nbuild: {source: .}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing required key 'benchmark.command'"), std::string::npos)
      << missing.error().message;
  auto metric = load(std::string(kMinimal) + "benchmark2: 1\n");
  EXPECT_FALSE(metric.ok());
  auto app = load("app: 'bad app'\nbuild: {source: .}\nbenchmark: {command: [x]}\n");
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.error().code, ErrorCode::Config);
  EXPECT_NE(app.error().message.find("pgo.yaml:1: app:"), std::string::npos) << app.error().message;
  auto window = load(std::string(kMinimal) + "window: {since: 1h, until: 2h}\n");
  ASSERT_FALSE(window.ok());
  EXPECT_EQ(window.error().code, ErrorCode::Config);
  EXPECT_NE(window.error().message.find("pgo.yaml:4: window.since/until"), std::string::npos)
      << window.error().message;
  auto compact = load(std::string(kMinimal) + "compact: maybe\n");
  ASSERT_FALSE(compact.ok());
  EXPECT_EQ(compact.error().code, ErrorCode::Config);
  EXPECT_NE(compact.error().message.find("compact"), std::string::npos) << compact.error().message;
  EXPECT_NE(compact.error().message.find("expected true or false"), std::string::npos) << compact.error().message;
  EXPECT_TRUE(load(std::string(kMinimal) + "compact: true\n")->compact);
}

TEST_F(RebuildConfigTest, SequentialBenchmarkLimits) {
  auto c = load("app: demo\nbuild: {source: ./src}\n"
           "benchmark: {command: [x], min_runs: 5, max_runs: 80, max_time: 3m}\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->min_runs, 5);
  EXPECT_EQ(c->max_runs, 80);
  EXPECT_EQ(c->max_time, std::chrono::minutes{3});
  auto fixed = load("app: demo\nbuild: {source: ./src}\nbenchmark: {command: [x], runs: 7}\n");
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(fixed->min_runs, 7);
  EXPECT_EQ(fixed->max_runs, 7);
  auto both = load("app: demo\nbuild: {source: ./src}\nbenchmark: {command: [x], runs: 7, max_runs: 9}\n");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("benchmark.runs"), std::string::npos) << both.error().message;
  auto inverted = load("app: demo\nbuild: {source: ./src}\nbenchmark: {command: [x], min_runs: 9, max_runs: 4}\n");
  ASSERT_FALSE(inverted.ok());
  EXPECT_NE(inverted.error().message.find("min_runs (9) is above"), std::string::npos)
      << inverted.error().message;
}

TEST_F(RebuildConfigTest, PublishBinaryAndImage) {
  auto c = load(std::string(kMinimal) + "publish: {binary: true}\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->publish_binary, "true");
  auto off = load(std::string(kMinimal) + "publish: {binary: false}\n");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_TRUE(off->publish_binary.empty());
  auto not_in_build = load("app: demo\nbuild: {source: ./src}\nbenchmark: {command: [./run.sh]}\n"
                           "publish: {binary: true}\n");
  ASSERT_FALSE(not_in_build.ok());
  EXPECT_NE(not_in_build.error().message.find("{build_dir}"), std::string::npos)
      << not_in_build.error().message;
  auto path = load("app: demo\nbuild: {source: ./src}\nbenchmark: {command: [./run.sh]}\n"
                   "publish: {binary: bin/service}\n");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(path->publish_binary, "bin/service");
  auto image = load(std::string(kMinimal) + "publish: {image: 'localhost:5000/demo:pgo'}\n");
  ASSERT_FALSE(image.ok()) << "publish.image needs a docker build";
  EXPECT_NE(image.error().message.find("build.kind docker"), std::string::npos) << image.error().message;
}

}  // namespace
}  // namespace pgopipe
