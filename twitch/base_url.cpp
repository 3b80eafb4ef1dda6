#include "twitch/base_url.hpp"

#include <charconv>

namespace eventsubd::twitch {

std::string base_url::origin() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::optional<base_url> parse_base_url(std::string_view text) {
  base_url out;
  if (text.rfind("https://", 0) == 0) {
    out.tls = true;
    out.port = 443;
    text.remove_prefix(8);
  } else if (text.rfind("http://", 0) == 0) {
    out.tls = false;
    out.port = 80;
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto slash = text.find('/');
  auto authority = text.substr(0, slash);
  out.path =
      slash == std::string_view::npos ? std::string{} : std::string(text.substr(slash));
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return std::nullopt;
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    auto port_text = authority.substr(colon + 1);
    unsigned port = 0;
    auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return std::nullopt;
    out.port = static_cast<uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  out.host = std::string(authority);
  return out;
}

std::string url_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                      c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

}  // namespace eventsubd::twitch
