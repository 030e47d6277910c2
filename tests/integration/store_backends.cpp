// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/store_backends.hpp"

#include <cstdlib>
#include <mutex>

#include "core/fs.hpp"

namespace pgopipe::test {

namespace fs = std::filesystem;

Result<S3Server*> shared_s3_server() {
  static std::mutex mu;
  static std::unique_ptr<S3Server> server;
  std::lock_guard lock(mu);
  if (!server) {
    PGO_TRY_ASSIGN(server, S3Server::start());
    // The store under test reads the standard AWS variables, like pgopipe does.
    for (const auto& [k, v] : server->client_env()) {
      if (v.empty()) {
        ::unsetenv(k.c_str());
      } else {
        ::setenv(k.c_str(), v.c_str(), 1);
      }
    }
  }
  return server.get();
}

Result<Backend> make_backend(const std::string& name) {
  Backend b;
  b.name = name;
  if (name == "file") {
    b.scratch = std::make_shared<ScratchDir>("pgopipe-store");
    b.dir = b.scratch->path() / "store";
    fs::create_directories(b.dir);
    b.url = "file://" + b.dir.string();
    return b;
  }
  PGO_TRY_ASSIGN(b.s3, shared_s3_server());
  b.prefix = "t-" + random_hex(6);
  b.url = b.s3->store_url(b.prefix);
  return b;
}

}  // namespace pgopipe::test
