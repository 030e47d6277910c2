// SPDX-License-Identifier: Apache-2.0
#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "core/fs.hpp"

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

Error bad_value(const std::string& origin, const std::string& key, const std::string& value,
                std::string_view expected) {
  return make_error(ErrorCode::Config, "{}: '{}' = '{}' is not valid: expected {}", origin, key,
                    value, expected);
}

Result<int> to_int(const std::string& origin, const std::string& key, const std::string& v, int lo,
                   int hi) {
  int out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size() || out < lo || out > hi) {
    return bad_value(origin, key, v, fmt::format("an integer from {} to {}", lo, hi));
  }
  return out;
}

Result<bool> to_bool(const std::string& origin, const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return bad_value(origin, key, v, "true or false");
}

template <typename T>
Apply string_setting(Setting<T> Config::*member) {
  return [member](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    c.*member = {v, origin};
    return success();
  };
}

Apply int_setting(Setting<int> Config::*member, const char* key, int lo, int hi) {
  return [=](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    PGO_TRY_ASSIGN(int n, to_int(origin, key, v, lo, hi));
    c.*member = {n, origin};
    return success();
  };
}

Apply limit_setting(uint64_t InputLimits::*member, std::string key) {
  return [=](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n == 0) {
      return bad_value(origin, key, v, "a positive integer");
    }
    c.limits.value.*member = n;
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
           return bad_value(origin, "store.file_mode", v,
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
           return bad_value(origin, "log_level", v, "trace, debug, info, warn, error or off");
         }
         c.log_level = {v, origin};
         return success();
       }},
      {"s3.endpoint", {"PGOPIPE_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://")) {
           return bad_value(origin, "s3.endpoint", v, "an http:// or https:// URL");
         }
         c.s3_endpoint = {v, origin};
         return success();
       }},
      {"s3.region", {"PGOPIPE_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         // The region becomes part of the host name and the signature scope.
         if (!valid_s3_region(v)) {
           return bad_value(origin, "s3.region", v, "a region name such as eu-west-1 ([a-z0-9-])");
         }
         c.s3_region = {v, origin};
         return success();
       }},
      {"s3.path_style", {"PGOPIPE_S3_PATH_STYLE"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         PGO_TRY_ASSIGN(bool b, to_bool(origin, "s3.path_style", v));
         c.s3_path_style = {b, origin};
         return success();
       }},
      {"s3.profile", {"AWS_PROFILE"}, string_setting(&Config::s3_profile)},
      {"s3.tls_verify", {"PGOPIPE_S3_TLS_VERIFY"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         PGO_TRY_ASSIGN(bool b, to_bool(origin, "s3.tls_verify", v));
         c.s3_tls_verify = {b, origin};
         return success();
       }},
      {"s3.retries", {"PGOPIPE_S3_RETRIES"}, int_setting(&Config::s3_retries, "s3.retries", 0, 20)},
      {"s3.list_page_size", {"PGOPIPE_S3_LIST_PAGE_SIZE"},
       int_setting(&Config::s3_list_page_size, "s3.list_page_size", 1, 1000)},
      {"s3.timeout", {"PGOPIPE_S3_TIMEOUT"},
       [](Config& c, const std::string& v, const std::string& origin) -> Result<void> {
         auto d = parse_duration(v);
         if (!d || *d <= Duration{0}) return bad_value(origin, "s3.timeout", v, "a duration such as 30s");
         c.s3_timeout = {*d, origin};
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

// Applies a YAML mapping recursively; keys are joined with '.'.
Result<void> apply_yaml(Config& c, const YAML::Node& node, const std::string& prefix,
                        const std::string& file) {
  for (const auto& item : node) {
    const YAML::Node& key_node = item.first;
    const YAML::Node& value = item.second;
    std::string where = fmt::format("{}:{}", file, key_node.Mark().line + 1);
    if (!key_node.IsScalar()) return make_error(ErrorCode::Config, "{}: keys must be strings", where);
    std::string name = prefix.empty() ? key_node.Scalar() : prefix + "." + key_node.Scalar();
    bool is_section = name == "s3" || name == "limits";
    if (is_section) {
      if (!value.IsMap()) {
        return make_error(ErrorCode::Config, "{}: '{}' must be a mapping of {} settings", where, name,
                          name == "s3" ? "S3" : "input limit");
      }
      PGO_TRY(apply_yaml(c, value, name, file));
      continue;
    }
    const Key* key = find_key(name);
    if (!key) {
      return make_error(ErrorCode::Config, "{}: unknown key '{}' (known keys: {})", where, name,
                        known_keys());
    }
    if (!value.IsScalar()) {
      return make_error(ErrorCode::Config, "{}: '{}' must be a single value, not a {}", where, name,
                        value.IsMap() ? "mapping" : value.IsSequence() ? "list" : "null");
    }
    PGO_TRY(key->apply(c, value.Scalar(), where));
  }
  return success();
}

Result<void> apply_file(Config& c, const fs::path& path) {
  PGO_TRY_ASSIGN(std::string text, read_file(path, 1 << 20));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::Config, "{}:{}: invalid YAML: {}", path.string(), e.mark.line + 1,
                      e.msg);
  }
  if (root.IsNull()) return success();
  if (!root.IsMap()) {
    return make_error(ErrorCode::Config, "{}:1: the config file must be a mapping of keys", path.string());
  }
  c.file = path;
  return apply_yaml(c, root, "", path.string());
}

}  // namespace

StoreOptions Config::store_options() const {
  StoreOptions o;
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
