// SPDX-License-Identifier: Apache-2.0
#include "merger/provenance.hpp"

#include <nlohmann/json.hpp>

#include "core/fs.hpp"

namespace pgopipe::merge {

namespace fs = std::filesystem;

fs::path provenance_path(const fs::path& profile) { return fs::path(profile.string() + ".pgopipe.json"); }

Result<void> write_provenance(const fs::path& profile, const Provenance& p) {
  nlohmann::json j{{"store", p.store}, {"app", p.app}, {"merged", p.merged},
                   {"skipped", p.skipped}, {"weighting", p.weighting}};
  if (p.window) {
    j["since"] = format_rfc3339(p.window->since);
    j["until"] = format_rfc3339(p.window->until);
  }
  if (p.first_collected) j["first_collected"] = format_rfc3339(*p.first_collected);
  if (p.last_collected) j["last_collected"] = format_rfc3339(*p.last_collected);
  return write_file_atomic(provenance_path(profile), j.dump(2) + "\n");
}

void remove_provenance(const fs::path& profile) {
  std::error_code ec;
  fs::remove(provenance_path(profile), ec);
}

std::optional<Provenance> read_provenance(const fs::path& profile) {
  auto text = read_file(provenance_path(profile), 1 << 20);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Provenance p;
  auto time_of = [&](const char* key) -> std::optional<TimePoint> {
    if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
    auto t = parse_time(j[key].get<std::string>(), TimePoint{});
    return t ? std::optional<TimePoint>(*t) : std::nullopt;
  };
  // A field of the wrong type makes the whole file invalid (json::value would throw).
  auto text_at = [&](const char* key, std::string& out) {
    if (!j.contains(key)) return true;
    if (!j[key].is_string()) return false;
    out = j[key].get<std::string>();
    return true;
  };
  auto count_at = [&](const char* key, size_t& out) {
    if (!j.contains(key)) return true;
    if (!j[key].is_number_unsigned()) return false;
    out = j[key].get<size_t>();
    return true;
  };
  if (!text_at("store", p.store) || !text_at("app", p.app) || !text_at("weighting", p.weighting) ||
      !count_at("merged", p.merged) || !count_at("skipped", p.skipped)) {
    return std::nullopt;
  }
  auto since = time_of("since"), until = time_of("until");
  if (since && until) p.window = Window{*since, *until};
  p.first_collected = time_of("first_collected");
  p.last_collected = time_of("last_collected");
  return p;
}

}  // namespace pgopipe::merge
