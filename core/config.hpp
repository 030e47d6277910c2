// SPDX-License-Identifier: Apache-2.0
// pgopipe's settings. Each comes from, in order of precedence: a command-line flag, an
// environment variable, the config file (pgopipe.yaml), or its default; each remembers where
// it came from so errors can name the file and line, the variable or the flag.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"

namespace pgopipe {

template <typename T>
struct Setting {
  T value{};
  std::string origin = "default";  // "pgopipe.yaml:12", "environment PGOPIPE_STORE", "flag --store"
};

struct Config {
  Setting<std::string> store{".pgopipe/store"};
  Setting<unsigned> store_file_mode{0600};  // local store: mode of written files
  Setting<std::string> app;
  Setting<int> concurrency{4};
  Setting<std::string> log_level{"info"};
  Setting<std::string> s3_endpoint;
  Setting<std::string> s3_region{"us-east-1"};
  Setting<std::optional<bool>> s3_path_style;
  Setting<std::string> s3_profile;
  Setting<bool> s3_tls_verify{true};
  Setting<int> s3_retries{4};
  Setting<Duration> s3_timeout{std::chrono::seconds{30}};
  Setting<int> s3_list_page_size{1000};  // ListObjectsV2 max-keys
  // What one input may decompress and decode to (limits.max_samples, ...).
  Setting<InputLimits> limits;
  std::optional<std::filesystem::path> file;  // the config file that was read, if any

  // Options for open_store() derived from these settings.
  [[nodiscard]] store::StoreOptions store_options() const;
};

// A value that wins over the config file and the environment, with the origin its messages
// name: a command-line flag, or a key of a file of its own such as pgo.yaml.
struct ConfigOverride {
  std::string key;     // "store", "s3.endpoint", ...
  std::string value;
  std::string origin;  // "flag --store", "pgo.yaml:7"
};

// The origin of the command-line flag for `key`: "flag --s3-path-style" for s3.path_style.
std::string flag_origin(const std::string& key);

struct ConfigSources {
  std::optional<std::filesystem::path> file;  // explicit --config; else PGOPIPE_CONFIG; else ./pgopipe.yaml if present
  std::map<std::string, std::string> env;     // environment variables (tests pass their own)
  std::vector<ConfigOverride> overrides;      // applied last, in order: the last one for a key wins
};

// Reads the current process environment into a map.
std::map<std::string, std::string> process_environment();

// Resolves every setting from its sources. Unknown keys, wrong types and bad values are
// Config errors naming the file and line, the variable or the flag.
Result<Config> load_config(const ConfigSources& sources);

// The config keys, with their environment variables, for help texts and docs.
std::vector<std::pair<std::string, std::string>> config_keys();

}  // namespace pgopipe
