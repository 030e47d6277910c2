// SPDX-License-Identifier: Apache-2.0
// Following a ListObjectsV2 listing page by page without trusting the server: a listing that
// repeats a continuation token, goes back in key order or never ends is an error, and every
// listed key is checked against the requested prefix and the key rules before it is used.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/store/s3_xml.hpp"
#include "core/store/store.hpp"

namespace pgopipe::store {

// Pages one listing may take: with 1,000 keys per page, a million objects under one prefix.
inline constexpr size_t kMaxListPages = 1000;

class ListingWalk {
 public:
  // `full_prefix` is what was asked for (store prefix + partition); keys are returned
  // relative to `store_prefix`; `what` names the listing in errors.
  ListingWalk(std::string store_prefix, std::string full_prefix, std::string what,
              size_t max_pages = kMaxListPages);

  // Takes the next page: appends its usable keys to `keys`, records the others in `damaged`
  // (and logs them). Returns the continuation token of the next page, "" when the listing
  // is complete; a Store error when the server repeats itself or the page cap is reached.
  Result<std::string> next(const ListPage& page, std::vector<std::string>& keys,
                           std::vector<DamagedObject>* damaged);

  // Pages taken so far.
  [[nodiscard]] size_t pages() const { return pages_; }

 private:
  std::string store_prefix_, full_prefix_, what_;
  size_t max_pages_;
  size_t pages_ = 0;
  std::string last_key_;
  std::set<std::string> tokens_;
};

}  // namespace pgopipe::store
