// SPDX-License-Identifier: Apache-2.0
// __llvm_profile_write_buffer() writes no value data; lprofWriteData() with the runtime's
// value-profile reader (lprofGetVPDataReader()) is what writes the .profraw file at exit,
// value section included. Both are hidden symbols of libclang_rt.profile, linkable from the
// same executable; the writer declarations below mirror compiler-rt's InstrProfilingInternal.h.
#include "collector/runtime_snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <new>

extern "C" {
struct PgopipeProfIOVec {  // ProfDataIOVec
  const void* data;
  size_t elm_size;
  size_t num_elm;
  int use_zero_padding;
};
struct PgopipeProfWriter;
typedef uint32_t (*PgopipeWriteFn)(PgopipeProfWriter*, PgopipeProfIOVec*, uint32_t);
struct PgopipeProfWriter {  // ProfDataWriter
  PgopipeWriteFn write;
  void* ctx;
};
// Weak, so that a non-instrumented binary links and gets a clear error at start.
__attribute__((weak)) int lprofWriteData(PgopipeProfWriter* writer, void* vp_reader,
                                         int skip_name_data_write);
__attribute__((weak)) void* lprofGetVPDataReader(void);
__attribute__((weak)) uint64_t __llvm_profile_get_size_for_buffer(void);
}

namespace pgopipe::collector {
namespace {

// The writer callback; no exception may cross the runtime's C frames.
uint32_t append_to_string(PgopipeProfWriter* self, PgopipeProfIOVec* vecs, uint32_t n) noexcept {
  auto* out = static_cast<std::string*>(self->ctx);
  try {
    for (uint32_t i = 0; i < n; ++i) {
      size_t bytes = vecs[i].elm_size * vecs[i].num_elm;
      if (vecs[i].data) {
        out->append(static_cast<const char*>(vecs[i].data), bytes);
      } else {
        out->append(bytes, '\0');  // padding, or a section the writer leaves out
      }
    }
  } catch (const std::bad_alloc&) {
    return 1;
  }
  return 0;
}

}  // namespace

bool runtime_linked() {
  return lprofWriteData && lprofGetVPDataReader && __llvm_profile_get_size_for_buffer;
}

Result<std::string> runtime_snapshot() {
  if (!runtime_linked()) {
    return make_error(ErrorCode::Config, "the LLVM profile runtime is not linked");
  }
  std::string out;
  // Every section but the value data, which is usually much smaller.
  out.reserve(__llvm_profile_get_size_for_buffer() + 4096);
  PgopipeProfWriter writer{append_to_string, &out};
  if (lprofWriteData(&writer, lprofGetVPDataReader(), 0) != 0) {
    return make_error(ErrorCode::Internal, "the LLVM profile runtime could not write its profile");
  }
  return out;
}

}  // namespace pgopipe::collector
