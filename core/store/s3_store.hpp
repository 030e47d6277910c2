// SPDX-License-Identifier: Apache-2.0
// The S3 backend: s3://bucket[/prefix] on AWS or any S3-compatible service (MinIO, Ceph,
// moto). Each profile is one object whose metadata travels as x-amz-meta-* headers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.hpp"

namespace pgopipe::store {

// Opens the store at `url` ("s3://bucket[/prefix]"); credentials come from the AWS
// environment variables or the shared credentials file (see aws_credentials.hpp).
Result<std::unique_ptr<Store>> make_s3_store(std::string_view url, const StoreOptions& options);

// The key prefixes one listing of `window` uses: the hour/day partitions of
// partition_prefixes() for short windows; for long ones (gc's "everything before X") months,
// years or the whole app, since each prefix costs at least one ListObjectsV2 request. Keys
// outside the window are filtered by their timestamps after listing.
std::vector<std::string> s3_listing_prefixes(std::string_view app, const Window& window);

}  // namespace pgopipe::store
