#include "core/host_port.hpp"

#include <charconv>

namespace eventsubd {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// One `host:port`; empty detail on success.
std::string parse_one(std::string_view item, host_port& out) {
  auto colon = item.rfind(':');
  if (colon == std::string_view::npos) return "no port";
  auto host = item.substr(0, colon);
  auto port = item.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    return "an IPv6 address needs brackets, e.g. [::1]:26379";
  if (host.empty()) return "no host";
  for (char c : host)
    if (c == ' ' || c == '/' || c == '@' || c == '[' || c == ']') return "bad host";
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() ||
      value < 1 || value > 65535)
    return "bad port";
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(value);
  return {};
}

}  // namespace

std::string host_port::text() const {
  auto shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return shown + ":" + std::to_string(port);
}

result<std::vector<host_port>> parse_host_port_list(std::string_view list,
                                                    std::string_view variable) {
  std::vector<host_port> out;
  auto bad = [&](std::string_view item, const std::string& why) {
    return fail(errc::bad_request, std::string(variable) + " is invalid ('" +
                                       std::string(item) + "': " + why +
                                       "); expected host:port,host:port,...");
  };
  while (true) {
    auto comma = list.find(',');
    auto item = trimmed(list.substr(0, comma));
    if (item.empty()) {
      if (comma != std::string_view::npos || !out.empty() || !trimmed(list).empty())
        return bad(item, "an empty item");
    } else {
      host_port hp;
      if (auto why = parse_one(item, hp); !why.empty()) return bad(item, why);
      out.push_back(std::move(hp));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.empty())
    return fail(errc::bad_request, std::string(variable) + " lists no host:port");
  return out;
}

}  // namespace eventsubd
