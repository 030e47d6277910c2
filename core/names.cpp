// SPDX-License-Identifier: Apache-2.0
#include "core/names.hpp"

#include <string>

namespace pgopipe {
namespace {

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
size_t utf8_sequence(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xc0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

Result<void> check_token(std::string_view s, std::string_view what, size_t max_len) {
  if (s.empty()) return make_error(ErrorCode::Usage, "{} is empty", what);
  if (s.size() > max_len) {
    return make_error(ErrorCode::Usage, "{} '{}' is longer than {} characters", what,
                      printable(s.substr(0, 40)), max_len);
  }
  for (char c : s) {
    if (!is_token_char(c)) {
      return make_error(ErrorCode::Usage,
                        "{} '{}' contains '{}': only letters, digits, '.', '_' and '-' are allowed",
                        what, printable(s), printable(std::string_view(&c, 1)));
    }
  }
  if (s == "." || s == ".." || s.find("..") != std::string_view::npos) {
    return make_error(ErrorCode::Usage, "{} '{}' contains '..'", what, printable(s));
  }
  return success();
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

Result<void> validate_app(std::string_view app, std::string_view what) {
  PGO_TRY(check_token(app, what, 128));
  if (!is_alnum(app.front())) {
    return make_error(ErrorCode::Usage, "{} '{}' must start with a letter or digit", what,
                      printable(app));
  }
  return success();
}

Result<void> validate_label_key(std::string_view key) {
  PGO_TRY(check_token(key, "label key", 64));
  if (!is_alnum(key.front())) {
    return make_error(ErrorCode::Usage, "label key '{}' must start with a letter or digit",
                      printable(key));
  }
  return success();
}

Result<void> validate_label_value(std::string_view key, std::string_view value) {
  if (value.size() > 256) {
    return make_error(ErrorCode::Usage, "label '{}' value is longer than 256 characters", key);
  }
  for (size_t i = 0; i < value.size();) {
    size_t n = utf8_sequence(value.substr(i));
    if (n == 0) {
      return make_error(ErrorCode::Usage, "label '{}' value '{}' is not valid UTF-8 (byte {} of {})",
                        key, printable(value), i + 1, value.size());
    }
    i += n;
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return make_error(ErrorCode::Usage, "label '{}' value '{}' contains a control character",
                        key, printable(value));
    }
    if (c == '/' || c == '\\') {
      return make_error(ErrorCode::Usage, "label '{}' value '{}' contains a path separator", key,
                        printable(value));
    }
  }
  if (value.find("..") != std::string_view::npos) {
    return make_error(ErrorCode::Usage, "label '{}' value '{}' contains '..'", key,
                      printable(value));
  }
  return success();
}

Result<void> validate_token(std::string_view token, std::string_view what) {
  return check_token(token, what, 128);
}

Result<void> validate_key(std::string_view key) {
  if (key.empty()) return make_error(ErrorCode::Usage, "object key is empty");
  if (key.size() > 1024) return make_error(ErrorCode::Usage, "object key is longer than 1024 bytes");
  if (key.front() == '/') {
    return make_error(ErrorCode::Usage, "object key '{}' must not start with '/'", printable(key));
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    auto r = check_token(segment, "object key segment", 255);
    if (!r) return r.error().context(fmt::format("object key '{}'", printable(key)));
    start = end + 1;
  }
  return success();
}

}  // namespace pgopipe
