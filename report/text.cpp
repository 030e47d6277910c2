// SPDX-License-Identifier: Apache-2.0
#include "report/text.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace pgopipe::report {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], 0 if invalid.
size_t utf8_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F)) {
    return 0;  // overlong, surrogate or beyond U+10FFFF
  }
  return len;
}

// sanitize_utf8(text), each byte passed through `escape(out, c)`, which appends its form.
template <typename Escape>
std::string escape_each(std::string_view text, Escape&& escape) {
  std::string clean = sanitize_utf8(text);
  std::string out;
  out.reserve(clean.size() + 16);
  for (char c : clean) escape(out, c);
  return out;
}

// The entity for the characters that start or end markup (& < >); nullptr for any other.
const char* markup_entity(char c) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    default: return nullptr;
  }
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
      ++i;
      continue;
    }
    size_t len = utf8_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string escape_markup(std::string_view text) {
  return escape_each(text, [](std::string& out, char c) {
    if (const char* entity = markup_entity(c)) {
      out += entity;
    } else if (c == '"') {
      out += "&quot;";
    } else if (c == '\'') {
      out += "&#39;";
    } else {
      out += c;
    }
  });
}

std::string escape_markdown(std::string_view text) {
  static constexpr std::string_view kMarkdownPunctuation = "\\`*_[]|#()!~";
  return escape_each(text, [](std::string& out, char c) {
    if (const char* entity = markup_entity(c)) {
      out += entity;
      return;
    }
    if (kMarkdownPunctuation.find(c) != std::string_view::npos) out += '\\';
    out += c;
  });
}

std::string display_name(std::string_view symbol) {
  std::string_view file;
  if (auto semi = symbol.rfind(';'); semi != std::string_view::npos) {
    file = symbol.substr(0, semi);
    symbol = symbol.substr(semi + 1);
  }
  std::string name(symbol);
  if (name.starts_with("_Z")) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(
        abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
    if (status == 0 && demangled) name = demangled.get();
  }
  if (!file.empty()) name += " [" + std::string(file) + "]";
  return name;
}

std::string group_digits(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace pgopipe::report
