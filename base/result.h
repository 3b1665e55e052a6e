#pragma once
// Errors as values: a Result carries either a value or an Error with a message and a hint.

#include <string>
#include <utility>
#include <variant>

namespace kexsim {

/// What went wrong, where, and what the user can do about it.
struct Error {
  std::string message;  ///< what happened, in the words the user will search for
  std::string hint;     ///< what to do about it (may be empty)
  std::string where;    ///< file:line:column, field, or request (may be empty)
  int code = 0;         ///< the peer's status code when the error came from a protocol answer (HTTP status)

  /// One line for a terminal: "where: message (hint)".
  std::string describe() const {
    std::string out = where.empty() ? message : where + ": " + message;
    if (!hint.empty()) out += "\n  hint: " + hint;
    return out;
  }
};

/// Either a T or an Error.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Success or an Error.
template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

/// Shorthand for building an Error.
inline Error make_error(std::string message, std::string hint = {}, std::string where = {}) {
  return Error{std::move(message), std::move(hint), std::move(where)};
}

}  // namespace kexsim
