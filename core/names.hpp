// SPDX-License-Identifier: Apache-2.0
// Validation of user-supplied names that end up in object keys and paths.
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace pgopipe {

// App names: 1..128 of [A-Za-z0-9._-], not starting with '.' or '-'. `what` names the input.
Result<void> validate_app(std::string_view app, std::string_view what = "app name");

// Label keys: 1..64 of [A-Za-z0-9._-] starting with a letter or digit.
Result<void> validate_label_key(std::string_view key);

// Label values: up to 256 bytes of well-formed UTF-8, no control characters, no '/', no "..".
Result<void> validate_label_value(std::string_view key, std::string_view value);

// Hosts and build IDs as used in keys: 1..128 of [A-Za-z0-9._-], no "..".
Result<void> validate_token(std::string_view token, std::string_view what);

// Object keys relative to a store root: '/'-separated segments, each a valid token
// ([A-Za-z0-9._-], not "." or ".."), no empty segments, no leading '/', up to 1024 bytes.
Result<void> validate_key(std::string_view key);

// Escapes control characters and non-ASCII bytes for safe display in messages.
std::string printable(std::string_view text);

}  // namespace pgopipe
