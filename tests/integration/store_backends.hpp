// SPDX-License-Identifier: Apache-2.0
// The two store backends the integration suites run against: a local directory and S3 on a
// moto server shared by all tests of one process (started on first use).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/fs.hpp"
#include "core/store/store.hpp"
#include "tests/support/s3_server.hpp"

namespace pgopipe::test {

// The moto server of this test process (authentication on); started on first call. Fails
// the calling test loudly when $PGOPIPE_TEST_PYTHON is unset.
Result<S3Server*> shared_s3_server();

// A fresh, empty store location per test: "file:///tmp/..." or "s3://bucket/<unique>".
struct Backend {
  std::string name;       // "file" or "s3"
  std::string url;        // store URL for pgopipe
  std::filesystem::path dir;  // for "file": the root directory (inside `scratch`)
  std::shared_ptr<ScratchDir> scratch;  // for "file": removed with the last copy
  S3Server* s3 = nullptr;     // for "s3": the server
  std::string prefix;         // for "s3": the key prefix inside the bucket
};
Result<Backend> make_backend(const std::string& name);

}  // namespace pgopipe::test
