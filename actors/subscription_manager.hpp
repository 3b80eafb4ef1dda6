#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace eventsubd {

struct subscription_manager_config {
  std::vector<std::string> default_streamers;  // validated, lowercase
  std::chrono::seconds reconcile_every{1800};
  std::chrono::seconds retry_after{60};  // after a failed subscribe or delete
};

struct subscription_manager_state {
  static inline const char* name = "subscription_manager";
  subscription_manager_state() = default;
  subscription_manager_config cfg;
  bool retry_scheduled = false;
  // Broadcaster id -> orphaned subscriptions of it that `bulk` is deleting. An add of
  // such a broadcaster subscribes through `bulk` too, after the deletion, so it never
  // adopts (409) a subscription that is deleted right after.
  std::map<std::string, int> orphans_deleting;
};

/// `twitch` serves requests someone waits for (add, remove); `bulk` does the long work
/// (start-up, reconciliation), so a reconciliation of thousands of subscriptions never
/// holds up a REST call. Adds and removes streamers with their subscriptions (one
/// operation at a time: each waits for Twitch and storage before the next starts), runs
/// start-up (default streamers, status initialisation through the refresher,
/// reconciliation) and the periodic reconciliation, and handles revocations.
subscription_manager_actor::behavior_type subscription_manager_fn(
    subscription_manager_actor::stateful_pointer<subscription_manager_state> self,
    subscription_manager_config cfg, const twitch_client_actor& twitch,
    const twitch_client_actor& bulk, const storage_actor& storage,
    const streamer_supervisor_actor& supervisor, const refresher_actor& refresher);

}  // namespace eventsubd
