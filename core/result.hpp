// SPDX-License-Identifier: Apache-2.0
// Errors as values: every fallible function returns Result<T>; only main() turns an
// Error into an exit code (see ErrorCode and README "Exit codes").
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pgopipe {

// The numeric value of each code is the process exit code main() uses for it.
enum class ErrorCode : int {
  Internal = 1,   // a bug or an unexpected system failure
  Usage = 2,      // bad command line
  Config = 3,     // bad config file, environment or flag value
  Input = 4,      // a profile or input file that cannot be read or is malformed
  Store = 5,      // the profile store failed (network, auth, missing bucket, server error)
  Integrity = 6,  // a checksum mismatch or an object that is not what its metadata says
  Io = 7,         // local file system failure (disk full, permission denied)
  Tool = 8,       // an external tool (compiler, perf, cmake) failed
  NotFound = 9,   // nothing matched (no profiles in the window, missing key)
  // How `pgopipe rebuild` ends when it neither publishes nor fails (rebuild/pipeline.hpp):
  Unchanged = 10,  // the window's profile matches the published one; nothing was built
  Gated = 11,      // the PGO build did not pass the benchmark gate; nothing was published
  Busy = 12,       // another rebuild holds the app's lock, or took it over from this run
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;

  // Returns a copy whose message is prefixed with context ("while X: <message>").
  [[nodiscard]] Error context(std::string_view what) const {
    return Error{code, fmt::format("{}: {}", what, message)};
  }
};

// Builds an Error from a fmt format string.
template <typename... Args>
[[nodiscard]] Error make_error(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return Error{code, fmt::format(f, std::forward<Args>(args)...)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { assert(!ok()); return *e_; }
  Error&& error() && { assert(!ok()); return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

inline Result<void> success() { return {}; }

}  // namespace pgopipe

#define PGO_CONCAT_INNER(a, b) a##b
#define PGO_CONCAT(a, b) PGO_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result) from the enclosing function, if it failed.
#define PGO_TRY(expr)                                   \
  do {                                                  \
    auto&& PGO_CONCAT(pgo_try_r_, __LINE__) = (expr);   \
    if (!PGO_CONCAT(pgo_try_r_, __LINE__))              \
      return std::move(PGO_CONCAT(pgo_try_r_, __LINE__)).error(); \
  } while (0)

// Declares/assigns `lhs` from the value of `expr`, or returns its error.
#define PGO_TRY_ASSIGN(lhs, expr)                                             \
  auto PGO_CONCAT(pgo_try_, __LINE__) = (expr);                               \
  if (!PGO_CONCAT(pgo_try_, __LINE__))                                        \
    return std::move(PGO_CONCAT(pgo_try_, __LINE__)).error();                 \
  lhs = std::move(*PGO_CONCAT(pgo_try_, __LINE__))
