#pragma once

#include "core/result.hpp"
#include "storage/redis_backend.hpp"

#include <hiredis/hiredis.h>

#include <string>
#include <string_view>
#include <utility>

// Internal to redis_backend's two files: redis_connection.cpp (connecting, AUTH,
// SELECT, Sentinel discovery, ROLE, one command) and redis_backend.cpp (the commands).

namespace eventsubd::storage {

/// Owns one hiredis reply.
struct redis_backend::reply {
  redisReply* r = nullptr;

  reply() = default;
  explicit reply(redisReply* raw) : r(raw) {}
  reply(reply&& other) noexcept : r(std::exchange(other.r, nullptr)) {}
  reply& operator=(reply&& other) noexcept {
    if (this != &other) {
      if (r) freeReplyObject(r);
      r = std::exchange(other.r, nullptr);
    }
    return *this;
  }
  reply(const reply&) = delete;
  reply& operator=(const reply&) = delete;
  ~reply() {
    if (r) freeReplyObject(r);
  }
};

namespace redis_detail {

/// The text of an error reply.
inline std::string error_text(const redisReply* r) {
  return r && r->str ? std::string(r->str, r->len) : "error";
}

/// How `send` words an error reply: this prefix, then Redis's text.
inline constexpr std::string_view error_prefix = "Redis error: ";

/// A node that was demoted (failover) refuses writes with READONLY.
inline bool is_readonly(std::string_view error) {
  return error.substr(0, 8) == "READONLY";
}

/// An ACL refusal.
inline bool is_noperm(std::string_view error) {
  return error.substr(0, 6) == "NOPERM";
}

/// Every Redis failure: the storage is unavailable, for the reason given.
inline error_info unavailable(std::string detail) {
  return fail(errc::unavailable, std::move(detail));
}

}  // namespace redis_detail
}  // namespace eventsubd::storage
