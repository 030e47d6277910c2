// SPDX-License-Identifier: Apache-2.0
#include "core/tool_environment.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/process.hpp>
#include <string>

namespace pgopipe {
namespace {

// A real child (env(1)) started with tool_environment() prints what it was given.
std::string environment_seen_by_a_child() {
  namespace bp = boost::process;
  bp::ipstream out;
  bp::child child(bp::search_path("env"), tool_environment(), bp::std_out > out, bp::std_in < bp::null);
  std::string all, line;
  while (std::getline(out, line)) all += line + "\n";
  child.wait();
  return all;
}

TEST(ToolEnvironment, ChildrenGetNoCredentialsButKeepOrdinaryVariables) {
  setenv("AWS_SECRET_ACCESS_KEY", "tool-env-s3cr3t", 1);
  setenv("AWS_SESSION_TOKEN", "tool-env-session", 1);
  setenv("PGOPIPE_TOOL_ENV_PLAIN", "kept-value", 1);
  const std::string seen = environment_seen_by_a_child();
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  unsetenv("PGOPIPE_TOOL_ENV_PLAIN");
  EXPECT_EQ(seen.find("tool-env-s3cr3t"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("tool-env-session"), std::string::npos) << seen;
  EXPECT_NE(seen.find("PGOPIPE_TOOL_ENV_PLAIN=kept-value"), std::string::npos) << seen;
  EXPECT_NE(seen.find("PATH="), std::string::npos) << seen;
}

}  // namespace
}  // namespace pgopipe
