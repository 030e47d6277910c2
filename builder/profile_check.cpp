// SPDX-License-Identifier: Apache-2.0
#include "builder/profile_check.hpp"

#include <fstream>
#include <vector>

#include "core/formats/format.hpp"

namespace pgopipe::build {
namespace fs = std::filesystem;

Result<void> check_compiler_profile(const fs::path& profile) {
  std::error_code ec;
  if (fs::is_directory(profile, ec)) return success();  // GCC .gcda directory
  if (!fs::is_regular_file(profile, ec)) {
    return make_error(ErrorCode::Input, "profile {} does not exist", profile.string());
  }
  std::ifstream in(profile, std::ios::binary);
  std::vector<uint8_t> head(4096);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  switch (family_of(detect_format(head))) {
    case ProfileFamily::Instr:
      if (detect_format(head) == ProfileFormat::LlvmRaw) {
        return make_error(ErrorCode::Input,
                          "{} is a raw profile (.profraw): merge it first with pgopipe merge",
                          profile.string());
      }
      return success();
    case ProfileFamily::Pprof:
    case ProfileFamily::Perf:
      return make_error(ErrorCode::Input,
                        "{} is a {} profile, which compilers cannot read: convert it to an LLVM "
                        "sample profile first (pgopipe convert)",
                        profile.string(), to_string(detect_format(head)));
    default:
      return success();  // indexed or sample profiles; the CMake module checks the bytes again
  }
}

}  // namespace pgopipe::build
