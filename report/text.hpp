// SPDX-License-Identifier: Apache-2.0
// Text helpers shared by the report renderers: every string that comes from a profile
// (function names contain <, >, & and arbitrary bytes) goes through one of these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgopipe::report {

// `text` made valid UTF-8: invalid sequences become U+FFFD, control characters '?'.
std::string sanitize_utf8(std::string_view text);

// Escapes `text` for XML/HTML text and attribute values (& < > " ') after sanitize_utf8.
std::string escape_markup(std::string_view text);

// Escapes `text` for Markdown prose and table cells: Markdown punctuation gets a backslash,
// < > & become entities, control characters (newlines too) become '?'.
std::string escape_markdown(std::string_view text);

// A symbol as people read it: Itanium C++ names demangled ("_ZN3svc4SinkC2Ev" ->
// "svc::Sink::Sink()"), LLVM's "file.cpp;symbol" names of local functions shown as
// "symbol [file.cpp]"; anything that does not demangle is returned unchanged.
std::string display_name(std::string_view symbol);

// 1234567 -> "1,234,567".
std::string group_digits(uint64_t value);

}  // namespace pgopipe::report
