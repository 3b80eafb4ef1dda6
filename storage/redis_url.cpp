#include "storage/redis_url.hpp"

#include <charconv>
#include <optional>

namespace eventsubd::storage {
namespace {

std::optional<std::string> decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc{} || p != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

/// The whole of `s` as a number in [lo, hi]; nullopt for anything else.
template <class T>
std::optional<T> number(std::string_view s, T lo, T hi) {
  T out{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty() || out < lo || out > hi)
    return std::nullopt;
  return out;
}

}  // namespace

result<redis_endpoint> parse_redis_url(std::string_view url) {
  auto fail = [](const std::string& why) {
    return eventsubd::fail(errc::unprocessable,
                           "REDIS_URL is invalid (" + why +
                               "); expected redis://[:password@]host:port[/db]");
  };
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return fail("it must start with redis://");
  url.remove_prefix(scheme.size());
  redis_endpoint ep;
  auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    auto db = url.substr(slash + 1);
    if (!db.empty()) {
      auto n = number(db, 0, 1 << 20);
      if (!n) return fail("bad database number");
      ep.db = *n;
    }
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = credentials.find(':');
    auto user = decode(credentials.substr(0, colon));
    auto password = colon == std::string_view::npos
                        ? std::optional<std::string>{""}
                        : decode(credentials.substr(colon + 1));
    if (!user || !password) return fail("bad escape in the credentials");
    if (colon == std::string_view::npos) {
      ep.password = *user;  // redis://password@host: the old form without a colon
    } else {
      ep.user = *user;
      ep.password = *password;
    }
  }
  if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    auto port = number(authority.substr(colon + 1), uint16_t{1}, uint16_t{65535});
    if (!port) return fail("bad port");
    ep.port = *port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return fail("no host");
  ep.host = std::string(authority);
  return ep;
}

}  // namespace eventsubd::storage
