#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace eventsubd::storage {

/// Where and how to connect to Redis, from `REDIS_URL`.
struct redis_endpoint {
  std::string host = "localhost";
  uint16_t port = 6379;
  std::string user;      // Redis 6 ACL user (AUTH user password); empty: AUTH password
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECT db
};

/// Parses `redis://[[user]:password@]host[:port][/db]` (percent-escapes in user and
/// password decoded). Malformed: errc::unprocessable, the detail naming REDIS_URL.
result<redis_endpoint> parse_redis_url(std::string_view url);

}  // namespace eventsubd::storage
