#include "http/auth.hpp"

#include <openssl/crypto.h>

#include <cctype>

namespace eventsubd::http {

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool api_key_guard::allows(std::string_view header) const {
  if (!required_) return true;
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size()) return false;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
  auto rest = header.substr(scheme.size());
  if (rest.front() != ' ') return false;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return constant_time_equals(rest, key_);
}

}  // namespace eventsubd::http
