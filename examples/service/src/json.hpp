// SPDX-License-Identifier: Apache-2.0
// A small JSON document model, a recursive-descent parser and a streaming writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sink.hpp"

namespace svc {

struct Value {
  enum class Kind : std::uint8_t { Null, Bool, Int, Double, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0.0;
  std::string text;            // String
  std::vector<Value> items;    // Array elements or Object values
  std::vector<std::string> keys;  // Object keys, parallel to items

  // Returns the member named key of an object, or nullptr.
  const Value* find(std::string_view key) const;
  // Returns the value as an integer (doubles truncate, others give fallback).
  std::int64_t as_int(std::int64_t fallback = 0) const;
  // Returns the value as a double (integers convert, others give fallback).
  double as_double(double fallback = 0.0) const;
};

struct ParseError {
  std::size_t offset = 0;
  std::string message;
};

// Parses a complete JSON text; on failure returns false and fills error.
bool parse_json(std::string_view text, Value& out, ParseError& error);

// Streaming writer with comma/nesting bookkeeping.
class JsonWriter {
 public:
  explicit JsonWriter(Sink& sink) : sink_(sink) {}
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void string(std::string_view s);
  void integer(std::int64_t v);
  void number(double v);
  void boolean(bool v);
  void null();
  // Writes a whole parsed value.
  void value(const Value& v);

 private:
  void separator();
  Sink& sink_;
  std::vector<bool> first_;  // one entry per open container
  bool after_key_ = false;
};

}  // namespace svc
