#pragma once

#include <chrono>
#include <cstddef>

namespace eventsubd::http {

/// Per-connection limits; the defaults follow the contract (1 MiB bodies).
struct server_limits {
  std::size_t body_limit = std::size_t{1024} * 1024;
  std::size_t header_limit = std::size_t{16} * 1024;
  std::chrono::seconds header_timeout{
      20};  // from waiting for a request to its last header
  std::chrono::seconds body_timeout{20};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds drain_timeout{
      2};  // reading leftovers before closing after an error
  int max_connections = 10000;
};

}  // namespace eventsubd::http
