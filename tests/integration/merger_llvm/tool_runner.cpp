// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/merger_llvm/tool_runner.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "core/config.hpp"
#include "core/process.hpp"

namespace pgopipe::testing {
namespace fs = std::filesystem;

bool have_tool(const std::string& tool) { return !find_program(tool).empty(); }

ToolRun run_tool(const std::string& tool, const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env) {
  ToolRun result;
  if (find_program(tool).empty()) {
    result.err = tool + ": not found on PATH";
    return result;
  }
  std::map<std::string, std::string> environment = process_environment();
  for (const auto& [key, value] : env) environment[key] = value;
  auto keep = [](std::string& to) {
    return [&to](std::string_view line) {
      to.append(line);
      to += '\n';
    };
  };
  std::vector<std::string> argv{tool};
  argv.insert(argv.end(), args.begin(), args.end());
  auto ran = spawn_and_wait(argv, {.env = std::move(environment),
                                   .on_stdout = keep(result.out),
                                   .on_stderr = keep(result.err),
                                   .stdin_null = true,
                                   .log = false});
  if (ran) {
    result.exit_code = ran->exit_code;
  } else {
    result.err += tool + ": " + ran.error().message;
  }
  return result;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace pgopipe::testing
