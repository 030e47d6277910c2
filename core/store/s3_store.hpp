// SPDX-License-Identifier: Apache-2.0
// The S3 backend: s3://bucket[/prefix] on AWS or any S3-compatible service (MinIO, Ceph,
// moto). Each profile is one object whose metadata travels as x-amz-meta-* headers.
#pragma once

#include <memory>
#include <string_view>

#include "core/store/store.hpp"

namespace pgopipe {

// Opens the store at `url` ("s3://bucket[/prefix]"); credentials come from the AWS
// environment variables or the shared credentials file (see aws_credentials.hpp).
Result<std::unique_ptr<Store>> make_s3_store(std::string_view url, const StoreOptions& options);

}  // namespace pgopipe
