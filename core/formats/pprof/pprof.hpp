// SPDX-License-Identifier: Apache-2.0
// pprof codec: reads profile.proto bytes (gzipped or not) with a hard limit on the
// decompressed size, validates every cross reference, and writes (gzipped) bytes or files
// atomically. The schema types are the generated perftools::profiles messages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/formats/pprof/profile.pb.h"
#include "core/limits.hpp"
#include "core/result.hpp"

namespace pgopipe::pprof {

using Profile = perftools::profiles::Profile;
using ValueType = perftools::profiles::ValueType;
using Sample = perftools::profiles::Sample;
using Label = perftools::profiles::Label;
using Mapping = perftools::profiles::Mapping;
using Location = perftools::profiles::Location;
using Line = perftools::profiles::Line;
using Function = perftools::profiles::Function;

// Default ceiling for a decompressed profile (a gzip bomb stops here).
inline constexpr uint64_t kDefaultMaxDecompressedBytes = InputLimits{}.max_decompressed_bytes;

struct ReadOptions {
  // Inputs that inflate (or, uncompressed, measure) beyond limits.max_decompressed_bytes, or
  // decode to more records than the limits allow, are Input errors naming the limit.
  InputLimits limits;
  // Check string indices and location/function/mapping ids after parsing.
  bool validate = true;
};

// True when `bytes` start with the gzip magic (1f 8b).
bool is_gzip(std::string_view bytes);

// Inflates gzip data (concatenated members allowed). Input error naming `name` when the data
// is corrupt, truncated, or inflates beyond `max_bytes` (stops there: bounded time/memory).
Result<std::string> gunzip(std::string_view name, std::string_view bytes, uint64_t max_bytes);

// gunzip into `buffer`, grown as needed and kept (a caller inflating many inputs allocates
// once) unless over 64 MiB and four times what came out; returns the inflated bytes, a
// prefix of `buffer`. Same limit and errors.
Result<std::string_view> gunzip_into(std::string_view name, std::string_view bytes, uint64_t max_bytes,
                                     std::string& buffer);

// Compresses `bytes` at `level` (1..12 as libdeflate counts, 1..9 meaning what they mean to
// zlib; -1 = 6, the default): one gzip member, or with `threads` > 1 and a large input, one
// member per thread's share, concatenated (valid gzip: every reader inflates all members).
Result<std::string> gzip(std::string_view bytes, int level = -1, int threads = 1);

// Returns the uncompressed protobuf bytes of a pprof input: inflated when gzipped, copied
// otherwise; zero-byte and over-limit inputs are Input errors naming `name`.
Result<std::string> decompress(std::string_view name, std::string_view bytes,
                               uint64_t max_bytes = kDefaultMaxDecompressedBytes);

// Counts the records uncompressed profile.proto bytes decode to (samples, locations,
// functions, strings, and all records together) in one pass without allocating; an Input
// error naming `name` and the limit's config key when a count exceeds `limits`.
Result<void> check_decoded_size(std::string_view name, std::string_view raw, const InputLimits& limits);

// Parses a pprof profile from file bytes (gzipped or not); errors name `name`.
Result<Profile> parse(std::string_view name, std::string_view bytes, const ReadOptions& options = {});

// Reads and parses a pprof file; errors name the path.
Result<Profile> read_file(const std::filesystem::path& path, const ReadOptions& options = {});

// Checks the profile's internal consistency: string_table[0] == "", every string index in
// range, ids non-zero and unique, every location/function/mapping reference resolvable, and
// one value per sample type. The first problem is an Input error naming `name`.
Result<void> validate(std::string_view name, const Profile& profile);

// Serializes the profile, gzipped when `compress` (what Go and pprof tools expect).
Result<std::string> serialize(const Profile& profile, bool compress = true);

// Writes the profile to `path` atomically (temp + rename), gzipped when `compress`.
Result<void> write_file(const std::filesystem::path& path, const Profile& profile,
                        bool compress = true);

// The string at `index` of the profile's string table, "" when out of range.
std::string_view string_at(const Profile& profile, int64_t index);

// The GNU build ID (hex) of the profile's main binary, its first mapping; "" when it has none
// or a non-hex one (a Go build ID).
std::string main_build_id(const Profile& profile);

// Interns strings into a profile's string_table (index 0 = "" is added on construction
// when the table is empty). Use it to build profiles: fn->set_name(strings.intern("main")).
class StringTable {
 public:
  explicit StringTable(Profile& profile);
  // The index of `s` in the table, appending it the first time.
  int64_t intern(std::string_view s);

 private:
  Profile& profile_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace pgopipe::pprof
