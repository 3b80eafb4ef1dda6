// Login validation as the router applies it to a raw path segment: percent-decoding,
// then normalisation. A normalised login is always valid and normalises to itself.
#include "core/login.hpp"
#include "http/url.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  (void)eventsubd::invalid_login_detail(raw);
  auto decoded = eventsubd::http::percent_decode(raw, false);
  if (!decoded) return 0;
  auto login = eventsubd::normalize_login(*decoded);
  if (!login) return 0;
  if (!eventsubd::is_valid_login(*login)) __builtin_trap();
  auto again = eventsubd::normalize_login(*login);
  if (!again || *again != *login) __builtin_trap();
  bool malformed = false;
  (void)eventsubd::http::query_param(raw, "limit", malformed);
  return 0;
}
