#pragma once

#include "core/errors.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace eventsubd {

/// Why something failed, in the terms the HTTP layer answers with: the code (one table
/// maps it to a status), a human-readable detail, and, when waiting helps, how long.
struct error_info {
  errc code = errc::internal;
  std::string detail;
  std::chrono::seconds retry_after{0};  // > 0: worth trying again after this long
};

/// The outcome of an operation that can fail: a value or an error_info. The one way
/// the twitch and storage layers report failure (no out-parameters, no bare strings).
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  result(error_info e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const error_info& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, error_info> v_;
};

/// No value, only success or an error_info.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error_info e) : error_(std::move(e)) {}  // NOLINT: implicit

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  const error_info& error() const { return *error_; }

 private:
  std::optional<error_info> error_;
};

/// An error result, for `return fail(errc::not_found, "...")`.
inline error_info fail(errc code, std::string detail,
                       std::chrono::seconds retry_after = std::chrono::seconds(0)) {
  return {code, std::move(detail), retry_after};
}

}  // namespace eventsubd
