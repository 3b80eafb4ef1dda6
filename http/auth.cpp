#include "http/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>

namespace eventsubd::http {

namespace {

using digest = std::array<unsigned char, 32>;

bool sha256(std::string_view text, digest& out) {
  size_t length = 0;
  return EVP_Q_digest(nullptr, "SHA256", nullptr, text.data(), text.size(), out.data(),
                      &length) == 1 &&
         length == out.size();
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
  digest da{}, db{};
  if (!sha256(a, da) || !sha256(b, db)) return false;  // fail closed
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
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
