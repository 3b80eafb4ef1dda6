#pragma once

#include <string>
#include <string_view>

namespace eventsubd::http {

/// API-key check for `Authorization: Bearer <key>` (scheme case-insensitive). The key
/// comparison takes the same time wherever the first difference is.
class api_key_guard {
 public:
  /// `required` false lets every request through.
  api_key_guard(bool required, std::string key)
      : required_(required), key_(std::move(key)) {}

  bool required() const { return required_; }

  /// True when the request may proceed; `header` is the Authorization value (or empty).
  bool allows(std::string_view header) const;

 private:
  bool required_;
  std::string key_;
};

/// Equality whose time depends on neither the content nor the lengths: both sides are
/// hashed (SHA-256) and the digests compared with CRYPTO_memcmp, so a guess that differs
/// in length takes as long as one that differs in the last byte.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace eventsubd::http
