#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventsubd::twitch {

/// A configured base URL such as `https://api.twitch.tv/helix` or
/// `http://127.0.0.1:8080/mock`: where requests go and under which path.
struct base_url {
  bool tls = true;
  std::string host;
  uint16_t port = 443;
  std::string path;  // without a trailing slash; may be empty

  /// `scheme://host:port`, the key of a kept-alive connection.
  std::string origin() const;
};

/// Parses `http(s)://host[:port][/path]`; nullopt when malformed.
std::optional<base_url> parse_base_url(std::string_view text);

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters), so a
/// value can never add or change parameters.
std::string url_encode(std::string_view value);

}  // namespace eventsubd::twitch
