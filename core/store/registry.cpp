// SPDX-License-Identifier: Apache-2.0
// Chooses a Store backend from a URL scheme.
#include "core/names.hpp"
#include "core/store/local_store.hpp"
#include "core/store/s3_store.hpp"
#include "core/store/store.hpp"

namespace pgopipe::store {

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
  if (url.empty()) return make_error(ErrorCode::Config, "no store configured");
  if (url.starts_with("file://")) {
    std::string_view path = url.substr(7);
    if (path.empty() || path.front() != '/') {
      return make_error(ErrorCode::Config, "store URL '{}': file:// URLs need an absolute path",
                        printable(url));
    }
    return make_local_store(std::string(path), options);
  }
  if (url.starts_with("s3://")) return make_s3_store(url, options);
  size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    return make_error(ErrorCode::Config, "store URL '{}': unknown scheme '{}' (file://, s3://)",
                      printable(url), printable(url.substr(0, scheme_end)));
  }
  return make_local_store(std::string(url), options);
}

}  // namespace pgopipe::store
