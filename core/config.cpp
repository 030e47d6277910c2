// SPDX-License-Identifier: Apache-2.0
#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "core/key_table.hpp"

extern char** environ;  // NOLINT

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

using Apply = std::function<Result<void>(Config&, const std::string& value, const std::string& origin)>;

struct Key {
  std::string name;  // dotted YAML path, also the flag key
  std::vector<std::string> env;
  Apply apply;
};

template <typename T>
Apply string_setting(Setting<T> Config::*member) {
  return [member](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    c.*member = {v, origin};
    return success();
  };
}

Apply int_setting(Setting<int> Config::*member, const char* key, int lo, int hi) {
  return [=](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    PGO_TRY_ASSIGN(int n, parse_number<int>(v, KeyAt{origin, key}, lo, hi));
    c.*member = {n, origin};
    return success();
  };
}

Apply limit_setting(uint64_t InputLimits::*member, std::string key) {
  return [=](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    auto n = parse_number<uint64_t>(v, KeyAt{origin, key}, 1, UINT64_MAX);
    if (!n) return bad_value(KeyAt{origin, key}, v, "a positive integer");
    c.limits.value.*member = *n;
    c.limits.origin = origin;
    return success();
  };
}

// The limits.* keys: one per InputLimits field.
std::vector<Key> limit_keys() {
  std::vector<Key> out;
  for (auto [name, member] : {std::pair{"max_decompressed_bytes", &InputLimits::max_decompressed_bytes},
                              std::pair{"max_samples", &InputLimits::max_samples},
                              std::pair{"max_locations", &InputLimits::max_locations},
                              std::pair{"max_functions", &InputLimits::max_functions},
                              std::pair{"max_strings", &InputLimits::max_strings},
                              std::pair{"max_records", &InputLimits::max_records},
                              std::pair{"max_stack_depth", &InputLimits::max_stack_depth}}) {
    std::string key = fmt::format("limits.{}", name);
    std::string env = "PGOPIPE_LIMITS_" + std::string(name);
    std::transform(env.begin(), env.end(), env.begin(), [](unsigned char ch) { return std::toupper(ch); });
    out.push_back({key, {env}, limit_setting(member, key)});
  }
  return out;
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table = {
      {"store", {"PGOPIPE_STORE"}, string_setting(&Config::store)},
      {"store.file_mode", {"PGOPIPE_STORE_FILE_MODE"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         unsigned mode = 0;
         bool octal = v.size() >= 3 && v.size() <= 4 &&
                      v.find_first_not_of("01234567") == std::string::npos;
         if (octal) mode = static_cast<unsigned>(std::stoul(v, nullptr, 8));
         if (!octal || (mode & 0600) != 0600 || (mode & ~0666u) != 0) {
           return bad_value(KeyAt{origin, "store.file_mode"}, v,
                            "an octal file mode with owner read/write and no execute bits, such "
                            "as 0600 or 0640");
         }
         c.store_file_mode = {mode, origin};
         return success();
       }},
      {"app", {"PGOPIPE_APP"}, string_setting(&Config::app)},
      {"concurrency", {"PGOPIPE_CONCURRENCY"}, int_setting(&Config::concurrency, "concurrency", 1, 64)},
      {"log_level", {"PGOPIPE_LOG_LEVEL"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
         if (std::find(levels.begin(), levels.end(), v) == levels.end()) {
           return bad_value(KeyAt{origin, "log_level"}, v, "trace, debug, info, warn, error or off");
         }
         c.log_level = {v, origin};
         return success();
       }},
      {"s3.endpoint", {"PGOPIPE_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://")) {
           return bad_value(KeyAt{origin, "s3.endpoint"}, v, "an http:// or https:// URL");
         }
         c.s3_endpoint = {v, origin};
         return success();
       }},
      {"s3.region", {"PGOPIPE_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         // The region becomes part of the host name and the signature scope.
         if (!store::valid_s3_region(v)) {
           return bad_value(KeyAt{origin, "s3.region"}, v, "a region name such as eu-west-1 ([a-z0-9-])");
         }
         c.s3_region = {v, origin};
         return success();
       }},
      {"s3.path_style", {"PGOPIPE_S3_PATH_STYLE"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         PGO_TRY_ASSIGN(bool b, parse_bool(v, KeyAt{origin, "s3.path_style"}));
         c.s3_path_style = {b, origin};
         return success();
       }},
      {"s3.profile", {"AWS_PROFILE"}, string_setting(&Config::s3_profile)},
      {"s3.tls_verify", {"PGOPIPE_S3_TLS_VERIFY"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         PGO_TRY_ASSIGN(bool b, parse_bool(v, KeyAt{origin, "s3.tls_verify"}));
         c.s3_tls_verify = {b, origin};
         return success();
       }},
      {"s3.retries", {"PGOPIPE_S3_RETRIES"}, int_setting(&Config::s3_retries, "s3.retries", 0, 20)},
      {"s3.list_page_size", {"PGOPIPE_S3_LIST_PAGE_SIZE"},
       int_setting(&Config::s3_list_page_size, "s3.list_page_size", 1, 1000)},
      {"s3.timeout", {"PGOPIPE_S3_TIMEOUT"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         PGO_TRY_ASSIGN(Duration d, parse_positive_duration(v, KeyAt{origin, "s3.timeout"}, "30s"));
         c.s3_timeout = {d, origin};
         return success();
       }},
  };
  static const std::vector<Key> all = [] {
    std::vector<Key> v = table;
    for (auto& k : limit_keys()) v.push_back(std::move(k));
    return v;
  }();
  return all;
}

const Key* find_key(const std::string& name) {
  for (const auto& k : keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : keys()) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

Result<void> apply_file(Config& c, const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(ErrorCode::Config, "config file {} does not exist", path.string());
  PGO_TRY_ASSIGN(YAML::Node root, load_yaml_mapping(path, "the config file"));
  if (root.IsNull()) return success();
  c.file = path;
  return walk_yaml_mapping(root, path, [&c](const YAML::Node& value, const KeyAt& where) -> Result<bool> {
    if (where.key == "s3" || where.key == "limits") return true;  // sections
    const Key* key = find_key(where.key);
    if (!key) return key_error(where, fmt::format("unknown key (known keys: {})", known_keys()));
    PGO_TRY_ASSIGN(std::string text, yaml_scalar(value, where));
    PGO_TRY(key->apply(c, text, where.where));
    return false;
  });
}

}  // namespace

store::StoreOptions Config::store_options() const {
  store::StoreOptions o;
  o.concurrency = concurrency.value;
  o.file_mode = store_file_mode.value;
  o.s3.endpoint = s3_endpoint.value;
  o.s3.region = s3_region.value;
  o.s3.path_style = s3_path_style.value;
  o.s3.profile = s3_profile.value;
  o.s3.tls_verify = s3_tls_verify.value;
  o.s3.retries = s3_retries.value;
  o.s3.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s3_timeout.value);
  o.s3.list_page_size = s3_list_page_size.value;
  return o;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

Result<Config> load_config(const ConfigSources& sources) {
  Config c;
  std::optional<fs::path> file = sources.file;
  if (!file) {
    if (auto it = sources.env.find("PGOPIPE_CONFIG"); it != sources.env.end() && !it->second.empty()) {
      file = it->second;
    } else if (fs::exists("pgopipe.yaml")) {
      file = "pgopipe.yaml";
    }
  }
  if (file) PGO_TRY(apply_file(c, *file));
  for (const auto& key : keys()) {
    for (const auto& var : key.env) {
      auto it = sources.env.find(var);
      if (it != sources.env.end() && !it->second.empty()) {
        PGO_TRY(key.apply(c, it->second, "environment " + var));
        break;  // the first listed variable wins
      }
    }
  }
  for (const auto& o : sources.overrides) {
    const Key* key = find_key(o.key);
    if (!key) return make_error(ErrorCode::Internal, "{}: override of unknown config key '{}'", o.origin, o.key);
    PGO_TRY(key->apply(c, o.value, o.origin));
  }
  return c;
}

std::string flag_origin(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '.', '-');
  std::replace(flag.begin(), flag.end(), '_', '-');
  return "flag " + flag;
}

std::vector<std::pair<std::string, std::string>> config_keys() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& k : keys()) {
    std::string env;
    for (const auto& e : k.env) env += (env.empty() ? "" : ", ") + e;
    out.emplace_back(k.name, env);
  }
  return out;
}

}  // namespace pgopipe
