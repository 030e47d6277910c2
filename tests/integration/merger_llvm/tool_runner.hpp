// SPDX-License-Identifier: Apache-2.0
// Test helpers: run a real tool (Boost.Process argument vectors), scratch directories, and
// reading/writing whole files.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace pgopipe::testing {

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `tool` (a path, or a name looked up on PATH) with `args` and extra environment variables; captures output.
ToolRun run_tool(const std::string& tool, const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env = {});

// True if `tool` is on PATH.
bool have_tool(const std::string& tool);

// A fresh directory under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& label);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string slurp(const std::filesystem::path& path);
void spit(const std::filesystem::path& path, const std::string& bytes);

}  // namespace pgopipe::testing
