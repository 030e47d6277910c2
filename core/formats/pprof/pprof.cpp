// SPDX-License-Identifier: Apache-2.0
#include "core/formats/pprof/pprof.hpp"

#include <algorithm>
#include <climits>
#include <unordered_set>
#include <vector>

#include "core/fs.hpp"

namespace pgopipe::pprof {
namespace {

Error input_error(std::string_view name, std::string_view what) {
  return make_error(ErrorCode::Input, "{}: {}", name, what);
}

// Checks that `index` addresses the string table; `what` describes the field.
class StringChecker {
 public:
  StringChecker(std::string_view name, const Profile& p) : name_(name), size_(p.string_table_size()) {}
  Result<void> operator()(int64_t index, std::string_view what) const {
    if (index < 0 || index >= size_) {
      return make_error(ErrorCode::Input, "{}: {} has string index {} outside the string table (size {})",
                        name_, what, index, size_);
    }
    return success();
  }

 private:
  std::string_view name_;
  int64_t size_;
};

// Collects ids of one kind, rejecting zero and duplicates.
Result<void> collect_id(std::string_view name, std::string_view kind, uint64_t id,
                        std::unordered_set<uint64_t>& ids) {
  if (id == 0) return make_error(ErrorCode::Input, "{}: {} with id 0 (ids must be non-zero)", name, kind);
  if (!ids.insert(id).second) return make_error(ErrorCode::Input, "{}: duplicate {} id {}", name, kind, id);
  return success();
}

}  // namespace

Result<std::string> decompress(std::string_view name, std::string_view bytes, uint64_t max_bytes) {
  if (bytes.empty()) return input_error(name, "empty file (zero bytes), not a pprof profile");
  if (is_gzip(bytes)) return gunzip(name, bytes, max_bytes);
  if (bytes.size() > max_bytes) {
    return make_error(ErrorCode::Input, "{}: {} bytes exceed the limit of {} bytes", name,
                      bytes.size(), max_bytes);
  }
  return std::string(bytes);
}

Result<Profile> parse(std::string_view name, std::string_view bytes, const ReadOptions& options) {
  PGO_TRY_ASSIGN(std::string raw, decompress(name, bytes, options.limits.max_decompressed_bytes));
  if (raw.size() > static_cast<size_t>(INT_MAX)) {
    return input_error(name, "decompressed profile exceeds 2 GiB, which protobuf cannot parse");
  }
  PGO_TRY(check_decoded_size(name, raw, options.limits));
  Profile profile;
  if (!profile.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return input_error(name, is_gzip(bytes) ? "gzip data is not a valid pprof protobuf message"
                                           : "not a pprof profile (protobuf parse failed)");
  }
  if (options.validate) PGO_TRY(validate(name, profile));
  return profile;
}

Result<Profile> read_file(const std::filesystem::path& path, const ReadOptions& options) {
  PGO_TRY_ASSIGN(std::string bytes, pgopipe::read_file(path));
  return parse(path.string(), bytes, options);
}

Result<void> validate(std::string_view name, const Profile& p) {
  if (p.string_table_size() == 0 || !p.string_table(0).empty()) {
    return input_error(name, p.string_table_size() == 0
                                 ? "string table is empty (not a pprof profile?)"
                                 : "string table entry 0 is not the empty string");
  }
  StringChecker str(name, p);
  for (int i = 0; i < p.sample_type_size(); ++i) {
    PGO_TRY(str(p.sample_type(i).type(), fmt::format("sample_type[{}].type", i)));
    PGO_TRY(str(p.sample_type(i).unit(), fmt::format("sample_type[{}].unit", i)));
  }
  PGO_TRY(str(p.drop_frames(), "drop_frames"));
  PGO_TRY(str(p.keep_frames(), "keep_frames"));
  PGO_TRY(str(p.period_type().type(), "period_type.type"));
  PGO_TRY(str(p.period_type().unit(), "period_type.unit"));
  PGO_TRY(str(p.default_sample_type(), "default_sample_type"));
  PGO_TRY(str(p.doc_url(), "doc_url"));
  for (int64_t c : p.comment()) PGO_TRY(str(c, "comment"));

  std::unordered_set<uint64_t> mappings, functions, locations;
  for (const auto& m : p.mapping()) {
    PGO_TRY(collect_id(name, "mapping", m.id(), mappings));
    PGO_TRY(str(m.filename(), fmt::format("mapping {} filename", m.id())));
    PGO_TRY(str(m.build_id(), fmt::format("mapping {} build_id", m.id())));
  }
  for (const auto& f : p.function()) {
    PGO_TRY(collect_id(name, "function", f.id(), functions));
    PGO_TRY(str(f.name(), fmt::format("function {} name", f.id())));
    PGO_TRY(str(f.system_name(), fmt::format("function {} system_name", f.id())));
    PGO_TRY(str(f.filename(), fmt::format("function {} filename", f.id())));
  }
  for (const auto& l : p.location()) {
    PGO_TRY(collect_id(name, "location", l.id(), locations));
    if (l.mapping_id() != 0 && !mappings.contains(l.mapping_id())) {
      return make_error(ErrorCode::Input, "{}: location {} refers to unknown mapping id {}", name,
                        l.id(), l.mapping_id());
    }
    for (const auto& line : l.line()) {
      if (line.function_id() != 0 && !functions.contains(line.function_id())) {
        return make_error(ErrorCode::Input, "{}: location {} refers to unknown function id {}",
                          name, l.id(), line.function_id());
      }
    }
  }
  const int types = p.sample_type_size();
  for (int i = 0; i < p.sample_size(); ++i) {
    const auto& s = p.sample(i);
    if (s.value_size() != types) {
      return make_error(ErrorCode::Input, "{}: sample {} has {} values but the profile has {} sample types",
                        name, i, s.value_size(), types);
    }
    for (uint64_t id : s.location_id()) {
      if (!locations.contains(id)) {
        return make_error(ErrorCode::Input, "{}: sample {} refers to unknown location id {}", name, i, id);
      }
    }
    for (const auto& label : s.label()) {
      PGO_TRY(str(label.key(), fmt::format("sample {} label key", i)));
      PGO_TRY(str(label.str(), fmt::format("sample {} label value", i)));
      PGO_TRY(str(label.num_unit(), fmt::format("sample {} label unit", i)));
    }
  }
  return success();
}

Result<std::string> serialize(const Profile& profile, bool compress) {
  std::string raw;
  if (!profile.SerializeToString(&raw)) {
    return make_error(ErrorCode::Internal, "cannot serialize pprof profile (larger than 2 GiB?)");
  }
  if (!compress) return raw;
  return gzip(raw);
}

Result<void> write_file(const std::filesystem::path& path, const Profile& profile, bool compress) {
  PGO_TRY_ASSIGN(std::string bytes, serialize(profile, compress));
  return write_file_atomic(path, bytes);
}

std::string_view string_at(const Profile& profile, int64_t index) {
  if (index < 0 || index >= profile.string_table_size()) return {};
  return profile.string_table(static_cast<int>(index));
}

StringTable::StringTable(Profile& profile) : profile_(profile) {
  if (profile_.string_table_size() == 0) profile_.add_string_table();
  for (int i = 0; i < profile_.string_table_size(); ++i) index_.emplace(profile_.string_table(i), i);
}

int64_t StringTable::intern(std::string_view s) {
  auto it = index_.find(std::string(s));
  if (it != index_.end()) return it->second;
  int64_t id = profile_.string_table_size();
  profile_.add_string_table(std::string(s));
  index_.emplace(std::string(s), id);
  return id;
}

std::string main_build_id(const Profile& profile) {
  if (profile.mapping_size() == 0 || profile.mapping(0).build_id() == 0) return {};
  std::string id(string_at(profile, profile.mapping(0).build_id()));
  if (id.empty() || id.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return {};
  return id;
}

}  // namespace pgopipe::pprof
