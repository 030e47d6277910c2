// SPDX-License-Identifier: Apache-2.0
// Test fixtures for S3: a real moto S3 server on a free loopback port (with SigV4
// authentication on by default), a boto3 peer client, and a child-process runner.
//
//   auto server = pgopipe::test::S3Server::start();          // fails loudly without
//   ASSERT_TRUE(server) << server.error().message;            // $PGOPIPE_TEST_PYTHON
//   auto env = (*server)->client_env();                       // AWS_* for pgopipe
//   std::string url = (*server)->store_url("prefix");          // s3://pgopipe-test/prefix
//   // ... the server stops when the S3Server is destroyed.
//
// The interpreter comes from $PGOPIPE_TEST_PYTHON (scripts/test.sh sets it to a venv with
// moto and boto3). Link the `pgopipe_test_support` library to use it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::test {

struct S3ServerOptions {
  bool auth = true;                               // verify SigV4 signatures
  std::vector<std::string> buckets{"pgopipe-test"};  // created before start() returns
};

class S3Server {
 public:
  // Starts the server and waits until it is ready; an error explains what is missing.
  static Result<std::unique_ptr<S3Server>> start(const S3ServerOptions& options = {});
  ~S3Server();  // stops the server (if still running)
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }  // http://127.0.0.1:P
  [[nodiscard]] int port() const;
  [[nodiscard]] const std::string& access_key() const { return access_key_; }
  [[nodiscard]] const std::string& secret_key() const { return secret_key_; }
  [[nodiscard]] const std::string& region() const { return region_; }
  [[nodiscard]] const std::string& bucket() const { return bucket_; }  // the first bucket

  // "s3://<bucket>[/<prefix>]".
  [[nodiscard]] std::string store_url(const std::string& prefix = "") const;

  // Environment for a client of this server: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  // AWS_DEFAULT_REGION, AWS_ENDPOINT_URL and PGOPIPE_S3_ENDPOINT.
  [[nodiscard]] std::map<std::string, std::string> client_env() const;

  // Kills the server abruptly (fault tests); the destructor then does nothing more.
  void kill();

 private:
  S3Server() = default;
  struct Process;
  std::unique_ptr<Process> process_;
  std::string endpoint_, access_key_, secret_key_, region_, bucket_;
};

// The interpreter from $PGOPIPE_TEST_PYTHON, or an error telling to run scripts/test.sh.
Result<std::string> test_python();

// Path of a script in tests/support (moto_launcher.py, s3_peer.py, fault_proxy.py).
std::filesystem::path support_script(const std::string& name);

struct RunResult {
  int exit_code = -1;
  std::string out, err;
  std::chrono::milliseconds elapsed{0};
};

// Runs argv[0] (a path) with argv[1..] through core/process, with the current environment
// (unscrubbed: the tests hand credentials to the CLI) plus `env` (a value of "" removes the
// variable), killing its process group after `timeout` (exit_code stays -1, err says so).
RunResult run_process(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::seconds timeout = std::chrono::seconds{120});

// Runs the boto3 peer (s3_peer.py) against `server` with `args`; its stdout on success.
Result<std::string> run_peer(const S3Server& server, const std::vector<std::string>& args);

}  // namespace pgopipe::test
