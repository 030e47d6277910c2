// SPDX-License-Identifier: Apache-2.0
// The gzip codec of pprof inputs and outputs. Inflating tries libdeflate's whole-buffer
// decoder first (several times zlib's rate) into a buffer of the size the gzip trailer
// states; whatever it cannot finish within that buffer (a lying trailer, a stream past the
// limit, corrupt or truncated data) is decided by the streaming zlib path, so the limit and
// every error message are zlib's. Compression is zlib's, so outputs stay byte-stable.
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "core/formats/pprof/pprof.hpp"

namespace pgopipe::pprof {
namespace {

// Largest chunk handed to zlib at once (its counters are 32-bit).
constexpr size_t kZlibChunk = size_t{1} << 30;
// gunzip_into keeps a buffer larger than this only while inputs fill a quarter of it.
constexpr size_t kKeptBufferBytes = size_t{64} << 20;

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

Result<std::string> gzip(std::string_view bytes, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return make_error(ErrorCode::Internal, "cannot initialise zlib compression");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(std::min(bytes.size(), kZlibChunk))) + 64);
  size_t produced = 0;
  size_t consumed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() - produced < 4096) out.resize(out.size() * 2);
    size_t in_chunk = std::min(bytes.size() - consumed, kZlibChunk);
    size_t out_chunk = std::min(out.size() - produced, kZlibChunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + consumed));
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_chunk);
    bool last = consumed + in_chunk == bytes.size();
    rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
      deflateEnd(&zs);
      return make_error(ErrorCode::Internal, "gzip compression failed (zlib error {})", rc);
    }
  }
  deflateEnd(&zs);
  out.resize(produced);
  return out;
}

}  // namespace pgopipe::pprof
