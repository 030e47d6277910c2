// SPDX-License-Identifier: Apache-2.0
// The gzip codec of pprof inputs and outputs. Inflating tries libdeflate's whole-buffer
// decoder first (several times zlib's rate) into a buffer of the size the gzip trailer
// states; whatever it cannot finish within that buffer (a lying trailer, a stream past the
// limit, corrupt or truncated data) is decided by the streaming zlib path, so the limit and
// every error message are zlib's. Compression is libdeflate's whole-buffer encoder (several
// times zlib's rate at level 1, and smaller output); its bytes depend only on the input, the
// level and the libdeflate version.
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "core/formats/pprof/pprof.hpp"
#include "core/parallel.hpp"

namespace pgopipe::pprof {
namespace {

// Largest chunk handed to zlib at once (its counters are 32-bit).
constexpr size_t kZlibChunk = size_t{1} << 30;
// gunzip_into keeps a buffer larger than this only while inputs fill a quarter of it.
constexpr size_t kKeptBufferBytes = size_t{64} << 20;
// gzip gives each thread a share of at least this many bytes.
constexpr size_t kMinShareBytes = size_t{4} << 20;

struct Inflated {
  uint64_t produced = 0;  // bytes the stream inflated to (counted up to max + 1)
  size_t consumed = 0;
  int rc = Z_OK;
  std::string zmsg;
};

// Inflates every gzip member of `bytes`: the first `cap` bytes of output into `out`, the rest
// only counted (into a scratch buffer), stopping once more than `max_bytes` came out.
Inflated inflate_all(std::string_view bytes, char* out, size_t cap, uint64_t max_bytes) {
  Inflated r;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    r.rc = Z_MEM_ERROR;
    return r;
  }
  std::vector<char> scratch;
  while (r.produced <= max_bytes) {
    size_t in_chunk = std::min(bytes.size() - r.consumed, kZlibChunk);
    char* next = out + std::min<uint64_t>(r.produced, cap);
    size_t out_chunk = std::min<uint64_t>(cap - std::min<uint64_t>(r.produced, cap), kZlibChunk);
    if (out_chunk == 0) {  // beyond the buffer: count only
      scratch.resize(size_t{1} << 16);
      next = scratch.data();
      out_chunk = scratch.size();
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + r.consumed));
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(next);
    zs.avail_out = static_cast<uInt>(out_chunk);
    r.rc = inflate(&zs, Z_NO_FLUSH);
    r.consumed += in_chunk - zs.avail_in;
    r.produced += out_chunk - zs.avail_out;
    if (r.rc == Z_STREAM_END) {
      // Another gzip member may follow (concatenated .gz files are valid gzip).
      if (is_gzip(bytes.substr(r.consumed))) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (r.rc == Z_BUF_ERROR && zs.avail_in == 0 && r.consumed == bytes.size()) {
      break;  // no more input but the stream did not end: truncated
    }
    if (r.rc != Z_OK && r.rc != Z_BUF_ERROR) break;
  }
  r.zmsg = zs.msg != nullptr ? zs.msg : "";
  inflateEnd(&zs);
  return r;
}

struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};
struct CompressorFree {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// Inflates every gzip member of `bytes` into out[0, cap) with libdeflate. The byte count, or
// nullopt when any member fails to decode or does not fit (the zlib path then decides).
std::optional<size_t> inflate_fast(std::string_view bytes, char* out, size_t cap) {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
  if (!d) return std::nullopt;
  size_t consumed = 0;
  size_t produced = 0;
  do {
    size_t in_used = 0;
    size_t out_used = 0;
    libdeflate_result rc = libdeflate_gzip_decompress_ex(d.get(), bytes.data() + consumed, bytes.size() - consumed,
                                                         out + produced, cap - produced, &in_used, &out_used);
    if (rc != LIBDEFLATE_SUCCESS) return std::nullopt;
    consumed += in_used;
    produced += out_used;
  } while (is_gzip(bytes.substr(consumed)));  // concatenated members, as zlib reads them
  return produced;
}

// The zlib path: every outcome of gunzip_into, limit and errors included.
Result<std::string_view> inflate_checked(std::string_view name, std::string_view bytes, uint64_t max_bytes,
                                         std::string& buffer, size_t cap) {
  Inflated r = inflate_all(bytes, buffer.data(), cap, max_bytes);
  if (r.produced > max_bytes) {
    return make_error(ErrorCode::Input,
                      "{}: gzip data inflates beyond the limit of {} bytes (a gzip bomb or an "
                      "oversized profile; limit limits.max_decompressed_bytes); refusing to "
                      "decompress further",
                      name, max_bytes);
  }
  if (r.rc == Z_DATA_ERROR || r.rc == Z_NEED_DICT || r.rc == Z_STREAM_ERROR || r.rc == Z_MEM_ERROR) {
    return make_error(ErrorCode::Input, "{}: corrupt gzip data ({})", name,
                      r.zmsg.empty() ? "zlib error " + std::to_string(r.rc) : r.zmsg);
  }
  if (r.rc != Z_STREAM_END) {
    return make_error(ErrorCode::Input, "{}: truncated gzip data (stream ends after {} of {} bytes)",
                      name, r.consumed, bytes.size());
  }
  if (r.produced > cap) {
    buffer = std::string();  // free the guess before the exact buffer exists
    buffer.resize(static_cast<size_t>(r.produced));
    r = inflate_all(bytes, buffer.data(), buffer.size(), max_bytes);
  }
  return std::string_view(buffer.data(), static_cast<size_t>(r.produced));
}

// One gzip member of `bytes` at libdeflate `level`.
Result<std::string> gzip_member(std::string_view bytes, int level) {
  std::unique_ptr<libdeflate_compressor, CompressorFree> c(libdeflate_alloc_compressor(level));
  if (!c) return make_error(ErrorCode::Internal, "cannot initialise gzip compression at level {}", level);
  // The bound is allocated but not initialised: only the pages the output fills become
  // resident, so a large input that compresses well costs no more than its output.
  size_t bound = libdeflate_gzip_compress_bound(c.get(), bytes.size());
  auto out = std::make_unique_for_overwrite<char[]>(bound);
  size_t produced = libdeflate_gzip_compress(c.get(), bytes.data(), bytes.size(), out.get(), bound);
  if (produced == 0) return make_error(ErrorCode::Internal, "gzip compression of {} bytes failed", bytes.size());
  return std::string(out.get(), produced);
}

}  // namespace

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f &&
         static_cast<uint8_t>(bytes[1]) == 0x8b;
}

Result<std::string_view> gunzip_into(std::string_view name, std::string_view bytes, uint64_t max_bytes,
                                     std::string& buffer) {
  // One allocation for honest inputs: the size the gzip trailer states (a hint only, it may
  // lie), else 4x the input. A larger stream is counted first and inflated again into a
  // buffer of its exact size, so a bomb costs no more memory than its (limited) output.
  uint64_t guess = std::max<uint64_t>(bytes.size() * 4, 4096);
  if (bytes.size() >= 18) {
    const auto* t = reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size() - 4);
    guess = std::max<uint64_t>(guess, uint64_t{t[0]} | uint64_t{t[1]} << 8 | uint64_t{t[2]} << 16 |
                                          uint64_t{t[3]} << 24);
  }
  auto cap = static_cast<size_t>(std::min(max_bytes, guess));
  if (buffer.size() < cap) buffer.resize(cap);
  // A buffer kept from a larger input is used whole, but never past the limit.
  cap = static_cast<size_t>(std::min<uint64_t>(buffer.size(), max_bytes));
  Result<std::string_view> out = std::string_view();
  if (auto n = inflate_fast(bytes, buffer.data(), cap)) {
    out = std::string_view(buffer.data(), *n);
  } else {
    out = inflate_checked(name, bytes, max_bytes, buffer, cap);
  }
  if (buffer.size() > kKeptBufferBytes && buffer.size() / 4 > (out ? out->size() : 0)) {
    // A trailer that overstated the size, or a refused input: keep only what came out.
    std::string exact(out ? *out : std::string_view());
    buffer.swap(exact);
    if (out) out = std::string_view(buffer);
  }
  return out;
}

Result<std::string> gunzip(std::string_view name, std::string_view bytes, uint64_t max_bytes) {
  std::string out;
  PGO_TRY_ASSIGN(std::string_view view, gunzip_into(name, bytes, max_bytes, out));
  out.resize(view.size());  // the view is out's own prefix
  return out;
}

Result<std::string> gzip(std::string_view bytes, int level, int threads) {
  if (level < 0) level = 6;  // the default, as zlib's -1 means
  // Each thread compresses a share of at least kMinShareBytes into its own member; below that
  // a thread costs more than it saves.
  size_t shares = std::clamp<size_t>(bytes.size() / kMinShareBytes, 1, static_cast<size_t>(std::max(threads, 1)));
  size_t share = (bytes.size() + shares - 1) / shares;
  std::vector<std::string> members(shares);
  PGO_TRY(parallel_for(shares, static_cast<int>(shares), [&](size_t i) -> Result<void> {
    std::string_view part = bytes.substr(std::min(bytes.size(), i * share), share);
    PGO_TRY_ASSIGN(members[i], gzip_member(part, level));
    return success();
  }));
  if (members.size() == 1) return std::move(members[0]);
  std::string out;
  size_t total = 0;
  for (const auto& m : members) total += m.size();
  out.reserve(total);
  for (const auto& m : members) out += m;
  return out;
}

}  // namespace pgopipe::pprof
