// SPDX-License-Identifier: Apache-2.0
#include "builder/profile_check.hpp"

#include <fstream>
#include <vector>

#include "builder/go_build.hpp"
#include "core/formats/format.hpp"

namespace pgopipe::build {
namespace fs = std::filesystem;

namespace {

// The format the first 4 KiB of a file show.
ProfileFormat detect_file_format(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> head(4096);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return detect_format(head);
}

}  // namespace

Result<void> check_compiler_profile(const fs::path& profile) {
  std::error_code ec;
  if (fs::is_directory(profile, ec)) return success();  // GCC .gcda directory
  if (!fs::is_regular_file(profile, ec)) {
    return make_error(ErrorCode::Input, "profile {} does not exist", profile.string());
  }
  const ProfileFormat format = detect_file_format(profile);
  switch (family_of(format)) {
    case ProfileFamily::Instr:
      if (format == ProfileFormat::LlvmRaw) {
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
                        profile.string(), to_string(format));
    default:
      return success();  // indexed or sample profiles; the CMake module checks the bytes again
  }
}

Result<void> check_image_profile(const fs::path& profile) {
  std::error_code ec;
  if (fs::is_regular_file(profile, ec) && family_of(detect_file_format(profile)) == ProfileFamily::Pprof) {
    return check_go_profile(profile);
  }
  return check_compiler_profile(profile);
}

}  // namespace pgopipe::build
