#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace eventsubd {

struct status_lookup_state {
  static inline const char* name = "status_lookup";
  status_lookup_state() = default;
  struct cached {
    std::chrono::steady_clock::time_point expires;
    query_result result;
  };
  std::chrono::seconds ttl{60};
  std::map<std::string, cached> cache;                     // by login
  std::map<std::string, std::vector<reply_once>> waiting;  // lookups in flight, by login
};

/// Status of a broadcaster we store nothing for, from Helix (`"source": "twitch_api"`),
/// cached for `ttl`; concurrent lookups of one login share one Twitch call. Unknown users
/// are 404 (cached too); Twitch failures are 502/503/504 and not cached.
status_lookup_actor::behavior_type status_lookup_fn(
    status_lookup_actor::stateful_pointer<status_lookup_state> self,
    const twitch_client_actor& twitch, std::chrono::seconds ttl);

}  // namespace eventsubd
