#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd {

/// A TCP address as configured: a name or IP literal and a port.
struct host_port {
  std::string host;
  uint16_t port = 0;

  std::string text() const;  // "host:port", "[::1]:port" for an IPv6 literal
  bool operator==(const host_port&) const = default;
};

/// Parses `host:port,host:port,...` (spaces around items ignored; an IPv6 literal in
/// brackets, `[::1]:26379`). Every item needs a host and a port from 1 to 65535, and
/// the list at least one item. The error's detail names `variable`.
result<std::vector<host_port>> parse_host_port_list(std::string_view list,
                                                    std::string_view variable);

}  // namespace eventsubd
