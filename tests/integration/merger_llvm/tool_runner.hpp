// SPDX-License-Identifier: Apache-2.0
// Test helpers: run a real tool (Boost.Process argument vectors) and read/write whole files.
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

std::string slurp(const std::filesystem::path& path);
void spit(const std::filesystem::path& path, const std::string& bytes);

}  // namespace pgopipe::testing
