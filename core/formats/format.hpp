// SPDX-License-Identifier: Apache-2.0
// Profile formats and their families, detected from the bytes (never from file names).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

enum class ProfileFormat {
  Unknown,
  Pprof,            // profile.proto, uncompressed
  PprofGzip,        // profile.proto, gzip-compressed (what Go and most profilers write)
  LlvmRaw,          // .profraw from -fprofile-instr-generate / -fprofile-generate
  LlvmIndexed,      // indexed .profdata
  SampleText,       // LLVM sample profile, text
  SampleBinary,     // LLVM sample profile, binary
  SampleExtBinary,  // LLVM sample profile, extensible binary
  PerfData,         // perf.data from perf record
  PerfScript,       // text output of perf script
};

// Which merge engine handles a format; different families never merge with each other.
enum class ProfileFamily { Unknown, Pprof, Instr, Sample, Perf };

// Detects the format of a profile from its first bytes (pass the whole file when small;
// 4 KiB is enough for every format except uncompressed pprof, which is checked structurally).
ProfileFormat detect_format(std::span<const uint8_t> bytes);

// Family of a format.
ProfileFamily family_of(ProfileFormat format);

// Stable lower-case names used in metadata, JSON output and messages ("pprof-gzip", ...).
std::string_view to_string(ProfileFormat format);
std::string_view to_string(ProfileFamily family);

// Parses to_string() output back; unknown names are an error naming the value.
Result<ProfileFormat> parse_format(std::string_view name);
Result<ProfileFamily> parse_family(std::string_view name);

// File extension (without dot) conventionally used for a format: "pb.gz", "profraw", ...
std::string_view extension_of(ProfileFormat format);

// The family a file name's extension conventionally holds (.profdata/.profraw: Instr;
// .pb.gz/.pb/.pprof: Pprof; .afdo/.afdo.txt/.prof: Sample; .perf.data: Perf); Unknown for others.
ProfileFamily family_of_extension(std::string_view file_name);

}  // namespace pgopipe
