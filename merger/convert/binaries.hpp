// SPDX-License-Identifier: Apache-2.0
// The binaries samples are attributed to: opened once, identified by their GNU build ID,
// and able to turn a file offset into the ELF virtual address DWARF speaks in.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/formats/perf/address_samples.hpp"

namespace pgopipe::convert {

// One PT_LOAD segment.
struct LoadSegment {
  uint64_t offset = 0;
  uint64_t file_size = 0;
  uint64_t vaddr = 0;
};

struct Binary {
  std::string path;      // the file symbolized (carries the debug info)
  std::string build_id;  // lower-case hex; empty if the binary has none
  std::vector<LoadSegment> loads;
  bool has_debug_info = false;
  // The ELF virtual address of file offset `offset`; nullopt if no PT_LOAD covers it.
  [[nodiscard]] std::optional<uint64_t> vaddr_of_offset(uint64_t offset) const;
};

// Reads build ID and PT_LOAD segments of an ELF file; Input error naming the path if it is
// not a readable ELF file. `require_debug_info` makes a file without .debug_info an error.
Result<Binary> open_binary(const std::string& path, bool require_debug_info);

class BinarySet {
 public:
  // Opens explicit binaries (each must carry debug info) and/or remembers a directory laid
  // out by build ID (DIR/<id>, DIR/<id>.debug, DIR/.build-id/ab/cdef[.debug], or any file
  // directly in DIR whose build ID matches).
  static Result<std::unique_ptr<BinarySet>> open(const std::vector<std::string>& binaries,
                                                 const std::string& binary_dir);

  // The binary for a mapping: by build ID when the mapping has one (never by name then),
  // otherwise by file name. nullptr when none matches; an error when the match has no
  // debug info (a stripped binary).
  Result<const Binary*> find(const perf::Mapping& m);

  // The binaries matched so far.
  [[nodiscard]] const std::vector<std::unique_ptr<Binary>>& binaries() const { return binaries_; }

 private:
  Result<const Binary*> find_in_dir(const std::string& build_id);
  std::vector<std::unique_ptr<Binary>> binaries_;
  std::string dir_;
  bool dir_scanned_ = false;
  std::vector<std::pair<std::string, std::string>> dir_files_;  // build id -> path
  std::vector<std::string> missing_;                            // build ids not in dir_
};

}  // namespace pgopipe::convert
