// SPDX-License-Identifier: Apache-2.0
// The two S3 XML documents pgopipe reads: ListObjectsV2 results and error bodies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe::store {

struct ListPage {
  std::vector<std::string> keys;       // full object keys, in the order S3 returned them
  bool truncated = false;              // IsTruncated: another page follows
  std::string next_continuation_token; // NextContinuationToken when truncated
};

// Parses a ListBucketResult (ListObjectsV2) body; malformed XML is a Store error.
Result<ListPage> parse_list_objects_v2(std::string_view xml);

struct S3ErrorBody {
  std::string code;     // e.g. "NoSuchBucket", "SignatureDoesNotMatch"; empty if none
  std::string message;  // the server's human-readable message; may be empty
};

// Extracts <Code> and <Message> from an S3 <Error> body; anything else yields empty fields.
S3ErrorBody parse_s3_error(std::string_view xml);

// Decodes the five XML entities and numeric character references in element text.
std::string xml_unescape(std::string_view text);

}  // namespace pgopipe::store
