// SPDX-License-Identifier: Apache-2.0
// A snapshot of the LLVM profile runtime of this process as a complete raw profile: counters
// and the value-profile section (indirect-call targets, memop sizes), written by
// compiler-rt's own writer with its value-profile reader, as at exit, but into memory.
#pragma once

#include <string>

#include "core/result.hpp"

namespace pgopipe::collector {

// True if this binary carries the LLVM profile runtime (built with -fprofile-instr-generate
// or -fprofile-generate).
bool runtime_linked();

// Writes the runtime's current profile (header, binary IDs, data, counters, names, value
// data) into a buffer; the application keeps running and its counters are not reset.
Result<std::string> runtime_snapshot();

}  // namespace pgopipe::collector
