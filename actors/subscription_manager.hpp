#pragma once

#include "actors/interfaces.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace eventsubd {

struct subscription_manager_config {
  std::vector<std::string> default_streamers;  // validated, lowercase
  std::chrono::seconds reconcile_every{1800};
  /// First retry after failed Twitch work (a subscribe, a delete, a reconciliation);
  /// a reconciliation that keeps failing backs off, doubling up to `max_retry`.
  std::chrono::seconds retry_after{60};
  std::chrono::seconds max_retry{1800};
  /// How long an add or remove may wait in line for Twitch (then 504), and may take in
  /// all before it is answered 504 (each Helix call has its own 10 s timeout).
  std::chrono::milliseconds interactive_wait{15000};
  std::chrono::milliseconds interactive_limit{60000};
  /// WEBHOOK_URL and a usable WEBHOOK_SECRET are set: without them no subscription is
  /// attempted at all (streamers are stored inactive).
  bool can_subscribe = true;
  /// Set once the first start-up round is over (done or failed): /health says
  /// "starting" until then.
  std::shared_ptr<std::atomic<bool>> started;
};

struct subscription_manager_state {
  static inline const char* name = "subscription_manager";
  subscription_manager_state() = default;
  subscription_manager_config cfg;
  /// Logins with an add or remove under way, and what waits for its turn after it: the
  /// operations on one login never interleave; different logins proceed together.
  std::map<std::string, std::deque<std::function<void()>>> busy;
  /// Broadcasters (user ids) an add is subscribing right now: a reconciliation that
  /// started before the add must not delete their subscriptions as orphans.
  std::set<std::string> adding;
  bool reconciling = false;      // a reconciliation is running
  bool reconcile_again = false;  // asked for while one ran
  bool retry_scheduled = false;  // a retry reconciliation is on its timer
  int reconcile_failures = 0;    // in a row
};

/// Adds and removes streamers with their subscriptions, runs start-up (default
/// streamers, status initialisation through the refresher, reconciliation) and the
/// periodic reconciliation, and handles revocations. Twitch work goes through the
/// scheduler: adds and removes as interactive work (a person waits), everything else as
/// bulk. Every failure is logged once, saying what happens next.
subscription_manager_actor::behavior_type subscription_manager_fn(
    subscription_manager_actor::stateful_pointer<subscription_manager_state> self,
    subscription_manager_config cfg, const twitch_actor& twitch,
    const storage_actor& storage, const streamer_supervisor_actor& supervisor,
    const refresher_actor& refresher);

}  // namespace eventsubd
