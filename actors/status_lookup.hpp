#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace eventsubd {

struct status_lookup_config {
  std::chrono::seconds ttl{60};  // answers (including "no such user") cached
  size_t max_cached = 10000;     // cache bound; swept every `ttl`
  int per_minute = 60;           // LOOKUP_RATE_LIMIT: Twitch lookups a minute
  std::chrono::milliseconds deadline{10000};  // a lookup waits this long at most
};

/// The HTTP clients waiting for one login: the lookup is abandoned once all went away.
struct lookup_waiters {
  std::mutex mutex;
  std::vector<abandoned_flag> flags;  // an empty flag: that client cannot go away
  bool all_gone() {
    std::lock_guard<std::mutex> g{mutex};
    for (const auto& f : flags)
      if (!f || !f->load()) return false;
    return !flags.empty();
  }
};

struct status_lookup_state {
  static inline const char* name = "status_lookup";
  status_lookup_state() = default;
  // Times are read from the actor clock: steady_clock in production, the test
  // coordinator's clock in deterministic tests.
  using clock = std::chrono::steady_clock;
  struct cached {
    clock::time_point expires;
    query_result result;
  };
  struct in_flight {
    std::vector<reply_once> replies;
    std::shared_ptr<lookup_waiters> waiters = std::make_shared<lookup_waiters>();
  };
  status_lookup_config cfg;
  std::map<std::string, cached> cache;       // by login
  std::map<std::string, in_flight> waiting;  // lookups in flight, by login
  double tokens = 0;                         // the rate limit's bucket
  clock::time_point refilled;                // set from the actor clock at spawn
};

/// Status of a broadcaster we store nothing for, from Helix (`"source": "twitch_api"`),
/// as public lookups: concurrent lookups of one login share one Twitch call; answers,
/// "no such user" included, are cached for `ttl` (bounded, swept); lookups that would
/// reach Twitch are limited to `per_minute` (429 with Retry-After beyond), so a public
/// flood cannot drain the Helix budget. They run as `lookup` work, never ahead of adds.
/// Unknown users are 404; Twitch failures are 502/503/504 and not cached.
status_lookup_actor::behavior_type status_lookup_fn(
    status_lookup_actor::stateful_pointer<status_lookup_state> self,
    const twitch_actor& twitch, status_lookup_config cfg);

}  // namespace eventsubd
