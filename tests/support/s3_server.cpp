// SPDX-License-Identifier: Apache-2.0
#include "tests/support/s3_server.hpp"

#include "core/config.hpp"
#include "core/process.hpp"

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <unistd.h>
#include <fstream>
#include <sstream>

namespace pgopipe::test {

namespace bp = boost::process;
namespace fs = std::filesystem;

struct S3Server::Process {
  bp::opstream in;   // closing it tells the launcher to stop
  bp::ipstream out;
  bp::child child;
  fs::path log;      // the server's stderr
};

Result<std::string> test_python() {
  const char* python = std::getenv("PGOPIPE_TEST_PYTHON");
  if (python == nullptr || *python == '\0') {
    return make_error(ErrorCode::Tool,
                      "PGOPIPE_TEST_PYTHON is not set: the S3 integration tests need moto and "
                      "boto3; run them through scripts/test.sh (it creates the venv and sets it)");
  }
  if (!fs::exists(python)) {
    return make_error(ErrorCode::Tool, "PGOPIPE_TEST_PYTHON={} does not exist; rerun scripts/test.sh",
                      python);
  }
  return std::string(python);
}

fs::path support_script(const std::string& name) {
  return fs::path(PGOPIPE_TEST_SUPPORT_DIR) / name;
}

Result<std::unique_ptr<S3Server>> S3Server::start(const S3ServerOptions& options) {
  PGO_TRY_ASSIGN(std::string python, test_python());
  std::vector<std::string> args{support_script("moto_launcher.py").string()};
  if (!options.auth) args.emplace_back("--no-auth");
  for (const auto& b : options.buckets) {
    args.emplace_back("--bucket");
    args.push_back(b);
  }
  std::unique_ptr<S3Server> server(new S3Server());
  server->process_ = std::make_unique<Process>();
  Process& p = *server->process_;
  static std::atomic<int> counter{0};
  fs::path log = fs::temp_directory_path() /
                 fmt::format("pgopipe-moto-{}-{}.log", ::getpid(), counter.fetch_add(1));
  p.log = log;
  try {
    p.child = bp::child(bp::exe = python, bp::args = args, bp::std_in < p.in, bp::std_out > p.out,
                        bp::std_err > log.string());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Tool, "cannot start {}: {}", python, e.what());
  }
  std::string line;
  if (!std::getline(p.out, line)) {
    std::ifstream err(log);
    std::stringstream text;
    text << err.rdbuf();
    return make_error(ErrorCode::Tool, "the moto S3 server did not start ({}):\n{}", log.string(),
                      text.str());
  }
  auto info = nlohmann::json::parse(line, nullptr, false);
  if (info.is_discarded() || !info.contains("endpoint")) {
    return make_error(ErrorCode::Tool, "unexpected output from moto_launcher.py: {}", line);
  }
  server->endpoint_ = info["endpoint"];
  server->access_key_ = info["access_key"];
  server->secret_key_ = info["secret_key"];
  server->region_ = info["region"];
  server->bucket_ = options.buckets.empty() ? "" : options.buckets.front();
  return server;
}

S3Server::~S3Server() {
  if (!process_) return;
  std::error_code ec;
  process_->in.pipe().close();
  if (process_->child.valid() && !process_->child.wait_for(std::chrono::seconds(5), ec)) {
    process_->child.terminate(ec);
  }
  fs::remove(process_->log, ec);
}

void S3Server::kill() {
  std::error_code ec;
  if (process_ && process_->child.running(ec)) {
    process_->child.terminate(ec);  // SIGKILL
    process_->child.wait(ec);
  }
}

int S3Server::port() const { return std::stoi(endpoint_.substr(endpoint_.rfind(':') + 1)); }

std::string S3Server::store_url(const std::string& prefix) const {
  return "s3://" + bucket_ + (prefix.empty() ? "" : "/" + prefix);
}

std::map<std::string, std::string> S3Server::client_env() const {
  return {{"AWS_ACCESS_KEY_ID", access_key_},   {"AWS_SECRET_ACCESS_KEY", secret_key_},
          {"AWS_SESSION_TOKEN", ""},            {"AWS_DEFAULT_REGION", region_},
          {"AWS_ENDPOINT_URL", endpoint_},      {"PGOPIPE_S3_ENDPOINT", endpoint_}};
}

RunResult run_process(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  RunResult result;
  std::map<std::string, std::string> child_env = process_environment();
  for (const auto& [k, v] : env) {
    if (v.empty()) {
      child_env.erase(k);
    } else {
      child_env[k] = v;
    }
  }
  auto keep = [](std::string& to) {
    return [&to](std::string_view line) {
      to.append(line);
      to += '\n';
    };
  };
  auto start = std::chrono::steady_clock::now();
  auto ran = pgopipe::spawn_and_wait(argv, {.timeout = timeout,
                                            .env = std::move(child_env),
                                            .on_stdout = keep(result.out),
                                            .on_stderr = keep(result.err),
                                            .stdin_null = true,
                                            .log = false});
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (ran) {
    result.exit_code = ran->exit_code;
  } else {
    result.err += ran.error().message + "\n";
  }
  return result;
}

Result<std::string> run_peer(const S3Server& server, const std::vector<std::string>& args) {
  PGO_TRY_ASSIGN(std::string python, test_python());
  std::vector<std::string> argv{python, support_script("s3_peer.py").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_process(argv, server.client_env());
  if (r.exit_code != 0) {
    return make_error(ErrorCode::Tool, "boto3 peer {} failed ({}): {}", args.front(), r.exit_code,
                      r.err);
  }
  return r.out;
}

}  // namespace pgopipe::test
