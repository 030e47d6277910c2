// SPDX-License-Identifier: Apache-2.0
// pgopipe build cmake -S SRC -B BUILD [--profile FILE | --pgo generate] [-j N] [-- cmake args]
// pgopipe build docker --context DIR [--file Dockerfile] --tag T [--profile FILE] [-- args]
// pgopipe build go -C DIR [--profile FILE [--write-default-pgo]] [-o OUT] [PACKAGES...] [-- args]
#include "builder/cmake_build.hpp"
#include "builder/docker_build.hpp"
#include "builder/go_build.hpp"
#include "cli/cli.hpp"
#include "cli/usage.hpp"

namespace pgopipe::cli {
namespace {

void register_build_cmake(CLI::App& build, Cli& cli) {
  auto o = std::make_shared<build::CmakeBuildOptions>();
  auto source = std::make_shared<std::string>();
  auto binary = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  auto* cmd = build.add_subcommand("cmake", "Configure and build a CMake project that uses enable_pgo()");
  cmd->add_option("-S,--source", *source, "Source directory")->required();
  cmd->add_option("-B,--build", *binary, "Build directory")->required();
  auto* p = cmd->add_option("--profile", *profile, "Optimise with this profile (-DPGO=<file>)");
  choices(cmd->add_option("--pgo", o->pgo, "PGO value instead of a profile"), {"generate", "auto", "off"})
      ->excludes(p);
  in_range(cmd->add_option("-j,--jobs", o->jobs, "Parallel jobs (default: the cgroup CPU quota)"), 1, 1024);
  cmd->add_option("--cmake", o->cmake, "cmake executable (default: cmake on PATH)");
  cmd->add_option("cmake_args", o->cmake_args, "Extra configure arguments, after --");
  cmd->callback([&cli, o, source, binary, profile] {
    cli.action = [&cli, o, source, binary, profile]() -> Result<void> {
      PGO_TRY(cli.config());  // logging setup
      o->source_dir = *source;
      o->build_dir = *binary;
      o->profile = *profile;
      return build::build_with_cmake(*o);
    };
  });
}

void register_build_docker(CLI::App& build, Cli& cli) {
  auto o = std::make_shared<build::DockerBuildOptions>();
  auto context = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  auto* cmd = build.add_subcommand("docker", "Build an image whose Dockerfile takes ARG PGO");
  cmd->add_option("--context", *context, "Build context directory")->required();
  cmd->add_option("-f,--file", *file, "Dockerfile (default: <context>/Dockerfile)");
  cmd->add_option("-t,--tag", o->tag, "Image tag")->required();
  cmd->add_option("--profile", *profile, "Profile passed as --build-arg PGO (default: PGO=off)");
  cmd->add_option("--docker", o->docker, "docker executable (default: docker on PATH)");
  cmd->add_option("docker_args", o->docker_args, "Extra docker build arguments, after --");
  cmd->callback([&cli, o, context, file, profile] {
    cli.action = [&cli, o, context, file, profile]() -> Result<void> {
      PGO_TRY(cli.config());
      o->context = *context;
      o->dockerfile = *file;
      o->profile = *profile;
      return build::build_with_docker(*o);
    };
  });
}

void register_build_go(CLI::App& build, Cli& cli) {
  auto o = std::make_shared<build::GoBuildOptions>();
  auto source = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto* cmd = build.add_subcommand("go", "Build Go packages with go build -pgo=<profile> (or -pgo=off)");
  cmd->add_option("-C,--source", *source, "Module directory go builds in")->required();
  auto* p = cmd->add_option("--profile", *profile, "pprof CPU profile (default: -pgo=off)");
  cmd->add_flag("--write-default-pgo", o->write_default_pgo,
                "Write the profile as the main package's default.pgo and build with -pgo=auto")
      ->needs(p);
  cmd->add_option("-o,--output", *output, "Output binary (go build -o)");
  in_range(cmd->add_option("-j,--jobs", o->jobs, "go build -p and GOMAXPROCS (default: the cgroup CPU quota)"),
           1, 1024);
  cmd->add_option("--go", o->go, "go executable (default: go on PATH)");
  cmd->add_option("packages", o->packages, "Packages to build (default: .); go build's own arguments follow --");
  cmd->callback([&cli, o, source, profile, output] {
    cli.action = [&cli, o, source, profile, output]() -> Result<void> {
      PGO_TRY_ASSIGN(Config config, cli.config());
      o->source_dir = *source;
      o->profile = *profile;
      o->output = *output;
      o->limits = config.limits.value;
      o->go_args = cli.tool_arguments();  // left out of parsing: see arguments_to_parse
      return build::build_with_go(*o);
    };
  });
}

}  // namespace

void register_build(CLI::App& app, Cli& cli) {
  auto* build = app.add_subcommand("build", "Build a project or image with a profile");
  build->require_subcommand(1);
  register_build_cmake(*build, cli);
  register_build_docker(*build, cli);
  register_build_go(*build, cli);
}

}  // namespace pgopipe::cli
