// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_listing.hpp"

#include <algorithm>

#include "core/names.hpp"

namespace pgopipe::store {

ListingWalk::ListingWalk(std::string store_prefix, std::string full_prefix, std::string what,
                         size_t max_pages)
    : store_prefix_(std::move(store_prefix)),
      full_prefix_(std::move(full_prefix)),
      what_(std::move(what)),
      max_pages_(max_pages) {}

Result<std::string> ListingWalk::next(const ListPage& page, std::vector<std::string>& keys,
                                      std::vector<DamagedObject>* damaged) {
  ++pages_;
  for (const auto& key : page.keys) {
    // S3 lists in ascending key order: a key that does not advance means the server is
    // serving the same entries again (a listing that would never end).
    if (!last_key_.empty() && key <= last_key_) {
      return make_error(ErrorCode::Store, "{}: page {} lists {} after {}; the listing does not advance",
                        what_, pages_, printable(key), printable(last_key_));
    }
    last_key_ = key;
    std::string_view rel = std::string_view(key).substr(std::min(store_prefix_.size(), key.size()));
    if (!key.starts_with(full_prefix_)) {
      note_damaged(damaged, printable(key), fmt::format("listed outside the requested prefix {}", full_prefix_));
    } else if (auto valid = validate_key(rel); !valid) {
      note_damaged(damaged, printable(key), valid.error().message);
    } else {
      keys.emplace_back(rel);
    }
  }
  if (!page.truncated) return std::string();
  const std::string& token = page.next_continuation_token;
  if (token.empty() || !tokens_.insert(token).second) {
    return make_error(ErrorCode::Store, "{}: the server answered page {} with {} continuation token; "
                      "the listing does not advance", what_, pages_, token.empty() ? "no" : "a repeated");
  }
  if (pages_ >= max_pages_) {
    return make_error(ErrorCode::Store, "{}: more than {} pages ({} keys); the listing does not end",
                      what_, max_pages_, keys.size());
  }
  return token;
}

}  // namespace pgopipe::store
