// SPDX-License-Identifier: Apache-2.0
// The embedded default store: a directory. Each object is a file at <root>/<key> with its
// metadata beside it in <key>.meta.json; the metadata is written last, so only complete
// objects are listed.
#pragma once

#include <filesystem>
#include <memory>

#include "core/store/store.hpp"

namespace pgopipe::store {

// Opens (creating if needed) a local store rooted at `root`.
Result<std::unique_ptr<Store>> make_local_store(const std::filesystem::path& root,
                                                const StoreOptions& options);

}  // namespace pgopipe::store
