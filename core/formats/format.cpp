// SPDX-License-Identifier: Apache-2.0
#include "core/formats/format.hpp"

#include <array>
#include <cstring>
#include <string>

namespace pgopipe {
namespace {

struct FormatInfo {
  ProfileFormat format;
  ProfileFamily family;
  std::string_view name;
  std::string_view extension;
};

constexpr std::array<FormatInfo, 10> kFormats{{
    {ProfileFormat::Unknown, ProfileFamily::Unknown, "unknown", "bin"},
    {ProfileFormat::Pprof, ProfileFamily::Pprof, "pprof", "pb"},
    {ProfileFormat::PprofGzip, ProfileFamily::Pprof, "pprof-gzip", "pb.gz"},
    {ProfileFormat::LlvmRaw, ProfileFamily::Instr, "llvm-raw", "profraw"},
    {ProfileFormat::LlvmIndexed, ProfileFamily::Instr, "llvm-indexed", "profdata"},
    {ProfileFormat::SampleText, ProfileFamily::Sample, "sample-text", "afdo.txt"},
    {ProfileFormat::SampleBinary, ProfileFamily::Sample, "sample-binary", "afdo"},
    {ProfileFormat::SampleExtBinary, ProfileFamily::Sample, "sample-extbinary", "afdo"},
    {ProfileFormat::PerfData, ProfileFamily::Perf, "perf-data", "perf.data"},
    {ProfileFormat::PerfScript, ProfileFamily::Perf, "perf-script", "perf.txt"},
}};

const FormatInfo& info(ProfileFormat f) {
  for (const auto& i : kFormats) {
    if (i.format == f) return i;
  }
  return kFormats[0];
}

uint64_t read_le64(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[static_cast<size_t>(i)];
  return v;
}

constexpr uint64_t llvm_magic(char kind) {
  return uint64_t{255} << 56 | uint64_t{'l'} << 48 | uint64_t{'p'} << 40 | uint64_t{'r'} << 32 |
         uint64_t{'o'} << 24 | uint64_t{'f'} << 16 | uint64_t(kind) << 8 | 129;
}

constexpr uint64_t sample_magic(uint64_t variant) {
  return uint64_t{'S'} << 56 | uint64_t{'P'} << 48 | uint64_t{'R'} << 40 | uint64_t{'O'} << 32 |
         uint64_t{'F'} << 24 | uint64_t{'4'} << 16 | uint64_t{'2'} << 8 | variant;
}

bool decode_uleb128(std::span<const uint8_t> b, size_t& pos, uint64_t& out) {
  out = 0;
  for (unsigned shift = 0; pos < b.size() && shift < 64; shift += 7) {
    uint8_t byte = b[pos++];
    out |= uint64_t{byte & 0x7fu} << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Walks protobuf fields of a profile.proto message: every field number must be 1..14 with
// the wire type the schema gives it, and every length must stay inside the buffer.
bool looks_like_pprof(std::span<const uint8_t> b) {
  if (b.empty()) return false;
  size_t pos = 0;
  int fields = 0;
  while (pos < b.size()) {
    uint64_t tag;
    if (!decode_uleb128(b, pos, tag)) return false;
    uint64_t field = tag >> 3, wire = tag & 7;
    bool length_delimited = field <= 6 || field == 11 || field == 13;  // messages, strings, packed
    bool varint = (field >= 7 && field <= 10) || field == 12 || field == 14;
    if (field == 0 || field > 14) return false;
    if (wire == 2 && (length_delimited || field == 13)) {
      uint64_t len;
      if (!decode_uleb128(b, pos, len) || len > b.size() - pos) return false;
      pos += len;
    } else if (wire == 0 && (varint || field == 13)) {
      uint64_t ignored;
      if (!decode_uleb128(b, pos, ignored)) return false;
    } else {
      return false;
    }
    ++fields;
  }
  return fields > 0;
}

std::string_view first_line(std::span<const uint8_t> b, size_t start = 0) {
  auto text = std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
  if (start >= text.size()) return {};
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
}

bool is_printable_text(std::span<const uint8_t> b) {
  size_t n = std::min<size_t>(b.size(), 4096);
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = b[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) return false;
  }
  return n > 0;
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "name:total:head" as the first line of an LLVM text sample profile.
bool looks_like_sample_text(std::string_view line) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return false;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t last = line.rfind(':');
  if (last == std::string_view::npos || !is_digits(line.substr(last + 1))) return false;
  size_t prev = line.rfind(':', last - 1);
  if (prev == std::string_view::npos || prev == 0) return false;
  return is_digits(line.substr(prev + 1, last - prev - 1));
}

// perf script: an unindented sample header line followed by indented "  <hex> sym" frames.
bool looks_like_perf_script(std::span<const uint8_t> b) {
  std::string_view header = first_line(b);
  if (header.empty() || header[0] == ' ' || header[0] == '\t') return false;
  if (header.find(':') == std::string_view::npos) return false;
  std::string_view frame = first_line(b, header.size() + 1);
  size_t i = 0;
  while (i < frame.size() && (frame[i] == ' ' || frame[i] == '\t')) ++i;
  if (i == 0) return false;
  size_t hex_start = i;
  while (i < frame.size() && std::isxdigit(static_cast<unsigned char>(frame[i]))) ++i;
  return i > hex_start && (i == frame.size() || frame[i] == ' ');
}

}  // namespace

ProfileFormat detect_format(std::span<const uint8_t> b) {
  if (b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) return ProfileFormat::PprofGzip;
  if (b.size() >= 8) {
    uint64_t magic = read_le64(b.first(8));
    uint64_t swapped = __builtin_bswap64(magic);
    // Raw profiles are written in the target's byte order, indexed ones as "\xfflprofi\x81".
    for (uint64_t m : {magic, swapped}) {
      if (m == llvm_magic('r') || m == llvm_magic('R')) return ProfileFormat::LlvmRaw;
      if (m == llvm_magic('i')) return ProfileFormat::LlvmIndexed;
    }
    if (std::memcmp(b.data(), "PERFILE2", 8) == 0 || std::memcmp(b.data(), "2ELIFREP", 8) == 0) {
      return ProfileFormat::PerfData;
    }
    size_t pos = 0;
    uint64_t uleb;
    if (decode_uleb128(b, pos, uleb)) {
      if (uleb == sample_magic(0xff)) return ProfileFormat::SampleBinary;
      if (uleb == sample_magic(4)) return ProfileFormat::SampleExtBinary;
    }
  }
  if (is_printable_text(b)) {
    if (looks_like_sample_text(first_line(b))) return ProfileFormat::SampleText;
    if (looks_like_perf_script(b)) return ProfileFormat::PerfScript;
    return ProfileFormat::Unknown;
  }
  if (looks_like_pprof(b)) return ProfileFormat::Pprof;
  return ProfileFormat::Unknown;
}

ProfileFamily family_of(ProfileFormat format) { return info(format).family; }

std::string_view to_string(ProfileFormat format) { return info(format).name; }

std::string_view to_string(ProfileFamily family) {
  switch (family) {
    case ProfileFamily::Pprof: return "pprof";
    case ProfileFamily::Instr: return "instr";
    case ProfileFamily::Sample: return "sample";
    case ProfileFamily::Perf: return "perf";
    case ProfileFamily::Unknown: break;
  }
  return "unknown";
}

Result<ProfileFormat> parse_format(std::string_view name) {
  for (const auto& i : kFormats) {
    if (i.name == name) return i.format;
  }
  return make_error(ErrorCode::Usage, "unknown profile format '{}'", name);
}

Result<ProfileFamily> parse_family(std::string_view name) {
  for (auto f : {ProfileFamily::Pprof, ProfileFamily::Instr, ProfileFamily::Sample,
                 ProfileFamily::Perf, ProfileFamily::Unknown}) {
    if (to_string(f) == name) return f;
  }
  return make_error(ErrorCode::Usage, "unknown profile kind '{}' (pprof, instr, sample, perf)",
                    name);
}

std::string_view extension_of(ProfileFormat format) { return info(format).extension; }

ProfileFamily family_of_extension(std::string_view file_name) {
  static constexpr std::pair<std::string_view, ProfileFamily> kConventional[] = {
      {".profdata", ProfileFamily::Instr}, {".profraw", ProfileFamily::Instr},
      {".pb.gz", ProfileFamily::Pprof},     {".pb", ProfileFamily::Pprof},
      {".pprof", ProfileFamily::Pprof},     {".afdo", ProfileFamily::Sample},
      {".afdo.txt", ProfileFamily::Sample}, {".prof", ProfileFamily::Sample},
      {".perf.data", ProfileFamily::Perf},
  };
  for (const auto& [ending, family] : kConventional) {
    if (file_name.ends_with(ending)) return family;
  }
  return ProfileFamily::Unknown;
}

}  // namespace pgopipe
