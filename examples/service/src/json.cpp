// SPDX-License-Identifier: Apache-2.0
#include "json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace svc {

// StringSink lives next to the writer: the writer's calls through Sink& can then be
// promoted to direct, inlined calls by IR PGO (indirect-call promotion stays in one TU).
void StringSink::put(char c) { out_.push_back(c); }
void StringSink::write(std::string_view s) { out_.append(s); }
const Value* Value::find(std::string_view key) const {
  if (kind != Kind::Object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

std::int64_t Value::as_int(std::int64_t fallback) const {
  switch (kind) {
    case Kind::Int: return integer;
    case Kind::Double: return static_cast<std::int64_t>(number);
    case Kind::Bool: return boolean ? 1 : 0;
    default: return fallback;
  }
}

double Value::as_double(double fallback) const {
  switch (kind) {
    case Kind::Int: return static_cast<double>(integer);
    case Kind::Double: return number;
    default: return fallback;
  }
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, ParseError& error) : s_(text), error_(error) {}

  bool parse_document(Value& out) {
    skip_ws();
    if (!parse_value(out, 0)) return false;
    skip_ws();
    if (pos_ != s_.size()) return fail("trailing characters after the document");
    return true;
  }

 private:
  bool fail(const char* what) {
    error_.offset = pos_;
    error_.message = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }

  void skip_ws() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    switch (s_[pos_]) {
      case '{': return parse_object(out, depth);
      case '[': return parse_array(out, depth);
      case '"': out.kind = Value::Kind::String; return parse_string(out.text);
      case 't': out.kind = Value::Kind::Bool; out.boolean = true; return literal("true");
      case 'f': out.kind = Value::Kind::Bool; out.boolean = false; return literal("false");
      case 'n': out.kind = Value::Kind::Null; return literal("null");
      case '-': case '0': case '1': case '2': case '3': case '4':
      case '5': case '6': case '7': case '8': case '9':
        return parse_number(out);
      default: return fail("unexpected character");
    }
  }

  bool parse_object(Value& out, int depth) {
    out.kind = Value::Kind::Object;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
      out.keys.emplace_back();
      if (!parse_string(out.keys.back())) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skip_ws();
      out.items.emplace_back();
      if (!parse_value(out.items.back(), depth + 1)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return fail("unterminated object");
      char c = s_[pos_++];
      if (c == '}') return true;
      if (c != ',') return fail("expected ',' or '}'");
    }
  }

  bool parse_array(Value& out, int depth) {
    out.kind = Value::Kind::Array;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
    while (true) {
      skip_ws();
      out.items.emplace_back();
      if (!parse_value(out.items.back(), depth + 1)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return fail("unterminated array");
      char c = s_[pos_++];
      if (c == ']') return true;
      if (c != ',') return fail("expected ',' or ']'");
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool parse_escape(std::string& out) {
    if (pos_ >= s_.size()) return fail("unterminated escape");
    char e = s_[pos_++];
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': {
        if (pos_ + 4 > s_.size()) return fail("short \\u escape");
        unsigned cp = 0;
        for (int i = 0; i < 4; ++i) {
          int d = hex_digit(s_[pos_ + i]);
          if (d < 0) return fail("bad hex digit in \\u escape");
          cp = cp * 16 + static_cast<unsigned>(d);
        }
        pos_ += 4;
        append_utf8(out, cp);
        return true;
      }
      default: return fail("unknown escape");
    }
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (!parse_escape(out)) return false;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail("control character in string");
      } else {
        out.push_back(c);
      }
    }
    return fail("unterminated string");
  }

  bool parse_number(Value& out) {
    std::size_t start = pos_;
    bool is_double = false;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_double = true;
        ++pos_;
      } else {
        break;
      }
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (!is_double) {
      out.kind = Value::Kind::Int;
      auto r = std::from_chars(first, last, out.integer);
      if (r.ec == std::errc() && r.ptr == last) return true;
      is_double = true;  // out of range: fall back to a double
    }
    out.kind = Value::Kind::Double;
    auto r = std::from_chars(first, last, out.number);
    if (r.ec != std::errc() || r.ptr != last) return fail("malformed number");
    return true;
  }

  std::string_view s_;
  ParseError& error_;
  std::size_t pos_ = 0;
};

}  // namespace

bool parse_json(std::string_view text, Value& out, ParseError& error) {
  out = Value{};
  Parser parser(text, error);
  return parser.parse_document(out);
}

void JsonWriter::separator() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) sink_.put(',');
    first_.back() = false;
  }
}

void JsonWriter::begin_object() { separator(); sink_.put('{'); first_.push_back(true); }
void JsonWriter::end_object() { first_.pop_back(); sink_.put('}'); }
void JsonWriter::begin_array() { separator(); sink_.put('['); first_.push_back(true); }
void JsonWriter::end_array() { first_.pop_back(); sink_.put(']'); }

void JsonWriter::key(std::string_view k) {
  string(k);
  sink_.put(':');
  after_key_ = true;
}

void JsonWriter::string(std::string_view s) {
  separator();
  sink_.put('"');
  for (char c : s) {
    switch (c) {
      case '"': sink_.write("\\\""); break;
      case '\\': sink_.write("\\\\"); break;
      case '\n': sink_.write("\\n"); break;
      case '\r': sink_.write("\\r"); break;
      case '\t': sink_.write("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          sink_.write(buf);
        } else {
          sink_.put(c);
        }
    }
  }
  sink_.put('"');
}

void JsonWriter::integer(std::int64_t v) {
  separator();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  sink_.write(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void JsonWriter::number(double v) {
  separator();
  // Integral values print as integers; others with up to three decimals. Everything is
  // exact integer arithmetic after one rounding, so every compiler prints the same digits.
  if (!(std::fabs(v) < 1e15)) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.6g", v);
    sink_.write(std::string_view(buf, static_cast<std::size_t>(n)));
    return;
  }
  std::int64_t scaled = std::llround(v * 1000.0);
  if (scaled < 0) {
    sink_.put('-');
    scaled = -scaled;
  }
  std::int64_t whole = scaled / 1000;
  auto frac = static_cast<int>(scaled % 1000);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, whole);
  sink_.write(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  if (frac == 0) return;
  sink_.put('.');
  int digits = 3;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  for (int d = digits - 1, div = digits == 3 ? 100 : (digits == 2 ? 10 : 1); d >= 0; --d) {
    sink_.put(static_cast<char>('0' + frac / div % 10));
    div /= 10;
  }
}

void JsonWriter::boolean(bool v) { separator(); sink_.write(v ? "true" : "false"); }
void JsonWriter::null() { separator(); sink_.write("null"); }

void JsonWriter::value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: null(); break;
    case Value::Kind::Bool: boolean(v.boolean); break;
    case Value::Kind::Int: integer(v.integer); break;
    case Value::Kind::Double: number(v.number); break;
    case Value::Kind::String: string(v.text); break;
    case Value::Kind::Array:
      begin_array();
      for (const Value& item : v.items) value(item);
      end_array();
      break;
    case Value::Kind::Object:
      begin_object();
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        key(v.keys[i]);
        value(v.items[i]);
      }
      end_object();
      break;
  }
}

}  // namespace svc
