// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/merger_llvm/tool_runner.hpp"

#include <boost/process.hpp>

#include <fstream>
#include <sstream>

#include "core/fs.hpp"

namespace pgopipe::testing {
namespace bp = boost::process;
namespace fs = std::filesystem;

bool have_tool(const std::string& tool) { return !bp::search_path(tool).empty(); }

ToolRun run_tool(const std::string& tool, const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env) {
  ToolRun result;
  boost::filesystem::path exe = tool.find('/') != std::string::npos ? boost::filesystem::path(tool)
                                                                     : bp::search_path(tool);
  if (exe.empty()) {
    result.err = tool + ": not found on PATH";
    return result;
  }
  fs::path base = fs::temp_directory_path() / ("pgopipe-tool-" + random_hex(8));
  fs::path out = base.string() + ".out", err = base.string() + ".err";
  bp::environment environment = boost::this_process::environment();
  for (const auto& [key, value] : env) environment[key] = value;
  std::error_code ec;
  result.exit_code = bp::system(exe, bp::args(args), bp::std_out > out.string(),
                                bp::std_err > err.string(), bp::std_in < bp::null, environment, ec);
  if (ec) result.err = tool + ": " + ec.message();
  result.out = slurp(out);
  result.err += slurp(err);
  fs::remove(out, ec);
  fs::remove(err, ec);
  return result;
}

ScratchDir::ScratchDir(const std::string& label)
    : path_(fs::temp_directory_path() / ("pgopipe-" + label + "-" + random_hex(6))) {
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
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
