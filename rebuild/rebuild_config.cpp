// SPDX-License-Identifier: Apache-2.0
#include "rebuild/rebuild_config.hpp"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>

#include "core/key_table.hpp"
#include "core/names.hpp"

namespace pgopipe::rebuild {
namespace {

namespace fs = std::filesystem;

template <typename T>
Result<T> number(const YAML::Node& v, const KeyAt& at, T lo, T hi) {
  PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
  return parse_number<T>(s, at, lo, hi);
}

Result<Duration> duration(const YAML::Node& v, const KeyAt& at) {
  PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
  return parse_positive_duration(s, at, "6h");
}

using Apply = std::function<Result<void>(RebuildConfig&, const YAML::Node&, const KeyAt&)>;

Apply text(std::string RebuildConfig::*member) {
  return [member](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
    PGO_TRY_ASSIGN(c.*member, yaml_scalar(v, at));
    return success();
  };
}

Apply path(fs::path RebuildConfig::*member) {
  return [member](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
    PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
    if (s.empty()) return key_error(at, "is empty");
    c.*member = (c.file.parent_path() / s).lexically_normal();
    return success();
  };
}

Apply s3_key(const std::string& name) {
  return [name](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
    PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
    c.s3[name] = {s, at.where};
    return success();
  };
}

using Fields = std::map<std::string, Apply>;

// app, store and the s3.* settings handed to pgopipe's store config.
void add_top_keys(Fields& t) {
  t.insert({
    {"app", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.app, yaml_scalar(v, at));
       c.app_origin = at.where;
       auto valid = validate_app(c.app);
       if (!valid) return key_error(at, valid.error().message);
       return success();
     }},
    {"store", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.store, yaml_scalar(v, at));
       c.store_origin = at.where;
       // A relative local store path is relative to the config file, like every path here.
       if (!c.store.starts_with("s3://") && !c.store.starts_with("file://") && !c.store.empty() &&
           c.store.front() != '/') {
         c.store = (c.file.parent_path() / c.store).lexically_normal().string();
       }
       return success();
     }},
    {"compact", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
       if (s != "true" && s != "false") return key_error(at, "expected true or false");
       c.compact = s == "true";
       return success();
     }},
    {"s3.endpoint", s3_key("s3.endpoint")},
    {"s3.region", s3_key("s3.region")},
    {"s3.path_style", s3_key("s3.path_style")},
    {"s3.profile", s3_key("s3.profile")},
    {"s3.tls_verify", s3_key("s3.tls_verify")},
    {"s3.retries", s3_key("s3.retries")},
    {"s3.timeout", s3_key("s3.timeout")},
  });
}

// window.*: which profiles of the store are merged.
void add_window_keys(Fields& t) {
  t.insert({
    {"window.since", text(&RebuildConfig::since)},
    {"window.until", text(&RebuildConfig::until)},
    {"window.half_life", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.half_life, duration(v, at));
       return success();
     }},
    {"window.build_id", text(&RebuildConfig::build_id)},
    {"window.kind", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
       if (s == "auto") return success();
       auto family = parse_family(s);
       if (!family) {
         return key_error(at, fmt::format("'{}' is not one of auto, instr, sample, pprof, perf", s));
       }
       c.kind = *family;
       return success();
     }},
    {"window.binary_dir", path(&RebuildConfig::binary_dir)},
  });
}

// build.*: how the baseline and PGO variants are built.
void add_build_keys(Fields& t) {
  t.insert({
    {"build.kind", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.build_kind, yaml_scalar(v, at));
       if (c.build_kind != "cmake" && c.build_kind != "docker" && c.build_kind != "go") {
         return key_error(at, fmt::format("'{}' is not one of cmake, docker, go", c.build_kind));
       }
       return success();
     }},
    {"build.source", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY(path(&RebuildConfig::source_dir)(c, v, at));
       std::error_code ec;
       if (!fs::is_directory(c.source_dir, ec)) {
         return key_error(at, fmt::format("{} is not a directory", c.source_dir.string()));
       }
       return success();
     }},
    {"build.package", text(&RebuildConfig::go_package)},
    {"build.profile", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.build_profile, yaml_scalar(v, at));
       if (c.build_profile != "llvm" && c.build_profile != "pprof") {
         return key_error(at, fmt::format("'{}' is not one of llvm, pprof", c.build_profile));
       }
       return success();
     }},
    {"build.go", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.go, yaml_scalar(v, at));
       if (c.go.find('/') != std::string::npos) c.go = (c.file.parent_path() / c.go).lexically_normal().string();
       return success();
     }},
    {"build.dir", path(&RebuildConfig::build_dir)},
    {"build.dockerfile", path(&RebuildConfig::dockerfile)},
    {"build.image", text(&RebuildConfig::image)},
    {"build.docker", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.docker, yaml_scalar(v, at));
       if (c.docker.find('/') != std::string::npos) c.docker = (c.file.parent_path() / c.docker).lexically_normal().string();
       return success();
     }},
    {"build.args", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.build_args, yaml_string_list(v, at));
       return success();
     }},
    {"build.jobs", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.jobs, number<unsigned>(v, at, 0, 1024));
       return success();
     }},
    {"build.timeout", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.build_timeout, duration(v, at));
       return success();
     }},
  });
}

// benchmark.*: how the two variants are timed.
void add_benchmark_keys(Fields& t) {
  t.insert({
    {"benchmark.timeout", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.bench_timeout, duration(v, at));
       return success();
     }},
    {"benchmark.command", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.bench_command, yaml_string_list(v, at));
       if (c.bench_command.empty() || c.bench_command.front().empty()) {
         return key_error(at, "needs at least the program to run");
       }
       return success();
     }},
    {"benchmark.runs", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.min_runs, number<int>(v, at, 2, 1000));  // a fixed number of pairs
       c.max_runs = c.min_runs;
       return success();
     }},
    {"benchmark.min_runs", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.min_runs, number<int>(v, at, 2, 10000));
       return success();
     }},
    {"benchmark.max_runs", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.max_runs, number<int>(v, at, 2, 10000));
       return success();
     }},
    {"benchmark.max_time", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.max_time, duration(v, at));
       return success();
     }},
    {"benchmark.metric", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.metric, yaml_scalar(v, at));
       if (c.metric != "cpu" && c.metric != "wall") {
         return key_error(at, fmt::format("'{}' is not one of cpu, wall", c.metric));
       }
       return success();
     }},
    {"benchmark.cwd", path(&RebuildConfig::bench_cwd)},
  });
}

// gate.*, compare.*, lock.*, report.* and publish.*: what the run decides and writes.
void add_decision_keys(Fields& t) {
  t.insert({
    {"gate.max_slowdown", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.max_slowdown, number<double>(v, at, 0.0, 1.0));
       return success();
     }},
    {"compare.unchanged_above", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.unchanged_above, number<double>(v, at, 0.0, 1.0));
       return success();
     }},
    {"lock.ttl", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(c.lock_ttl, duration(v, at));
       return success();
     }},
    {"report.dir", path(&RebuildConfig::report_dir)},
    {"publish.binary", [](RebuildConfig& c, const YAML::Node& v, const KeyAt& at) -> Result<void> {
       PGO_TRY_ASSIGN(std::string s, yaml_scalar(v, at));
       if (s == "false") return success();
       if (s.empty() || s.front() == '/') {
         return key_error(at, "expected true, false or a path relative to the build directory");
       }
       c.publish_binary = s;
       return success();
     }},
    {"publish.image", text(&RebuildConfig::publish_image)},
  });
}

const Fields& fields() {
  static const Fields table = [] {
    Fields t;
    add_top_keys(t);
    add_window_keys(t);
    add_build_keys(t);
    add_benchmark_keys(t);
    add_decision_keys(t);
    return t;
  }();
  return table;
}

const std::set<std::string>& sections() {
  static const std::set<std::string> s = {"s3", "window", "build", "benchmark", "gate",
                                          "compare", "lock", "report", "publish", "window.labels"};
  return s;
}

std::string known_under(const std::string& prefix) {
  std::string out;
  for (const auto& [name, apply] : fields()) {
    if (prefix.empty() ? name.find('.') == std::string::npos : name.starts_with(prefix + ".")) {
      out += (out.empty() ? "" : ", ") + name;
    }
  }
  for (const auto& s : sections()) {
    bool child = prefix.empty() ? s.find('.') == std::string::npos : s.starts_with(prefix + ".");
    if (child) out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

// window.labels: each label is checked as `pgopipe push --label` checks it.
Result<void> read_labels(RebuildConfig& c, const YAML::Node& value, const KeyAt& at) {
  if (!value.IsMap()) return key_error(at, "expected a mapping of label: value");
  for (const auto& label : value) {
    KeyAt lat{fmt::format("{}:{}", c.file.string(), label.first.Mark().line + 1),
           at.key + "." + label.first.Scalar()};
    PGO_TRY_ASSIGN(std::string v, yaml_scalar(label.second, lat));
    auto kv = parse_label(label.first.Scalar() + "=" + v);
    if (!kv) return key_error(lat, kv.error().message);
    c.labels.insert(*kv);
  }
  return success();
}

// Applies one key of pgo.yaml; true when it is a section whose keys follow.
Result<bool> apply_key(RebuildConfig& c, const YAML::Node& value, const KeyAt& at,
                       std::set<std::string>& seen) {
  if (!seen.insert(at.key).second) return key_error(at, "is given twice");
  if (at.key == "window.labels") {
    PGO_TRY(read_labels(c, value, at));
    return false;
  }
  if (at.key == "window") c.window_origin = at.where;
  if (sections().count(at.key)) return true;
  auto it = fields().find(at.key);
  if (it == fields().end()) {
    std::string prefix = at.key.find('.') == std::string::npos ? "" : at.key.substr(0, at.key.rfind('.'));
    return key_error(at, fmt::format("unknown key (known {}: {})", prefix.empty() ? "keys" : "keys here",
                               known_under(prefix)));
  }
  PGO_TRY(it->second(c, value, at));
  return false;
}

// Go builds (build.kind go, or build.profile pprof for docker) take pprof CPU profiles only.
Result<void> check_go_build(const RebuildConfig& c, const std::set<std::string>& seen) {
  if (seen.count("build.profile") && c.build_kind != "docker") {
    return make_error(ErrorCode::Config, "{}: build.profile needs build.kind docker (go builds take pprof, "
                      "cmake builds LLVM profiles)", c.file.string());
  }
  if (takes_pprof(c) && c.kind && *c.kind != ProfileFamily::Pprof) {
    return make_error(ErrorCode::Config, "{}: build.kind {} needs pprof CPU profiles; window.kind is {}",
                      c.file.string(), c.build_kind, to_string(*c.kind));
  }
  if (c.build_kind != "go") {
    for (const char* key : {"build.package", "build.go"}) {
      if (seen.count(key)) return make_error(ErrorCode::Config, "{}: {} needs build.kind go", c.file.string(), key);
    }
    return success();
  }
  if (c.go_package != "." && !c.go_package.starts_with("./")) {
    return make_error(ErrorCode::Config, "{}: build.package '{}' must be the main package's directory relative to "
                      "build.source (\".\" or \"./cmd/server\")", c.file.string(), c.go_package);
  }
  return success();
}

}  // namespace

Result<RebuildConfig> load_rebuild_config(const fs::path& path) {
  RebuildConfig c;
  c.file = fs::absolute(path).lexically_normal();
  PGO_TRY_ASSIGN(YAML::Node root, load_yaml_mapping(c.file, "the rebuild config"));
  if (root.IsNull()) {
    return make_error(ErrorCode::Config, "{}:1: the rebuild config must be a mapping of keys",
                      c.file.string());
  }
  std::set<std::string> seen;
  PGO_TRY(walk_yaml_mapping(root, c.file, [&](const YAML::Node& value, const KeyAt& at) {
    return apply_key(c, value, at, seen);
  }));
  for (const char* key : {"app", "build.source", "benchmark.command"}) {
    if (!seen.count(key)) {
      return make_error(ErrorCode::Config, "{}: missing required key '{}'", c.file.string(), key);
    }
  }
  if (c.until == "now") c.until.clear();
  if (seen.count("benchmark.runs") && (seen.count("benchmark.min_runs") || seen.count("benchmark.max_runs"))) {
    return make_error(ErrorCode::Config, "{}: benchmark.runs (a fixed number of pairs) cannot be "
                      "combined with benchmark.min_runs/max_runs", c.file.string());
  }
  if (!c.publish_image.empty() && c.build_kind != "docker") {
    return make_error(ErrorCode::Config, "{}: publish.image needs build.kind docker", c.file.string());
  }
  if (c.publish_binary == "true" && c.build_kind == "cmake" && !c.bench_command.front().starts_with("{build_dir}/")) {
    return make_error(ErrorCode::Config, "{}: publish.binary: true takes the binary from benchmark.command, "
                      "which must then run \"{{build_dir}}/...\"; give the binary's path instead",
                      c.file.string());
  }
  if (!c.publish_binary.empty() && c.build_kind == "docker") {
    return make_error(ErrorCode::Config, "{}: publish.binary needs build.kind cmake or go (docker builds "
                      "ship an image: publish.image)", c.file.string());
  }
  PGO_TRY(check_go_build(c, seen));
  if (c.min_runs > c.max_runs) {
    return make_error(ErrorCode::Config, "{}: benchmark.min_runs ({}) is above benchmark.max_runs ({})",
                      c.file.string(), c.min_runs, c.max_runs);
  }
  if (c.build_kind == "docker" && c.image.empty()) {
    return make_error(ErrorCode::Config, "{}: build.kind docker needs build.image (e.g. myservice)",
                      c.file.string());
  }
  fs::path dir = c.file.parent_path();
  if (c.build_dir.empty()) c.build_dir = dir / "pgopipe-build";
  if (c.report_dir.empty()) c.report_dir = dir / "pgopipe-report";
  if (c.bench_cwd.empty()) c.bench_cwd = dir;
  if (auto window = parse_window(c.since, c.until, now()); !window) {
    return make_error(ErrorCode::Config, "{}: window.since/until: {}",
                      c.window_origin.empty() ? c.file.string() : c.window_origin, window.error().message);
  }
  return c;
}

}  // namespace pgopipe::rebuild
