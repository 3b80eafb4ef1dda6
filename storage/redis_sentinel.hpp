#pragma once

#include "core/host_port.hpp"
#include "core/result.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace eventsubd::storage {

/// Where to learn the Redis master's address: `REDIS_SENTINELS`, `REDIS_MASTER_NAME`
/// and `REDIS_SENTINEL_PASSWORD`. Without sentinels, `REDIS_URL`'s host:port is used.
struct sentinel_settings {
  std::vector<host_port> sentinels;
  std::string master_name;
  std::string password;  // AUTH to each sentinel; empty: none

  bool enabled() const { return !sentinels.empty(); }
};

/// Asks one sentinel `SENTINEL get-master-addr-by-name <name>` on a connection of its
/// own, every step bounded by `timeout`. Fails (errc::unavailable, the detail names the
/// sentinel) when it cannot be reached, refuses, or does not know the name. The answer
/// is only the sentinel's opinion: the caller checks that the node is the master.
result<host_port> ask_sentinel(const host_port& sentinel,
                               const sentinel_settings& settings,
                               std::chrono::milliseconds timeout);

}  // namespace eventsubd::storage
