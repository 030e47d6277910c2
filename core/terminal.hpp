// SPDX-License-Identifier: Apache-2.0
// Text from profiles and servers (symbol names, keys, hosts, labels, error bodies) can hold
// escape sequences that clear or retitle a terminal. Every human output (show, ls, logs)
// passes such text through terminal_safe first.
#pragma once

#include <string>
#include <string_view>

namespace pgopipe {

// `text` with every control character (C0 including ESC, DEL, and the C1 range U+0080..U+009F)
// and every byte that is not part of valid UTF-8 written as \xNN; printable ASCII and valid
// UTF-8 stay as they are. With `keep_newlines`, '\n' and '\t' pass unchanged.
std::string terminal_safe(std::string_view text, bool keep_newlines = false);

}  // namespace pgopipe
