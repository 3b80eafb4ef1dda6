#pragma once

#include "actors/interfaces.hpp"
#include "twitch/helix_client.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

namespace eventsubd {

struct helix_worker_config {
  twitch::helix_config helix;
  std::string callback;  // WEBHOOK_URL; empty: no subscriptions can be made
  std::string secret;    // usable WEBHOOK_SECRET; empty: likewise
  std::shared_ptr<std::atomic<bool>> stopping;  // set at shutdown: Helix work ends now
  // Shared by every worker of the process: Twitch has one token and one rate-limit
  // bucket per client id.
  std::shared_ptr<twitch::app_token> token;
  std::shared_ptr<twitch::rate_budget> budget;
  twitch::work_class work = twitch::work_class::interactive;
};

struct helix_worker_state {
  static inline const char* name = "helix_worker";
  helix_worker_state() = default;
  helix_worker_config cfg;
  std::optional<twitch::helix_client> helix;
};

/// Spawn detached: every handler is blocking Helix work on this actor's own thread.
/// Compound operations (both subscriptions of a streamer, a whole reconciliation) are
/// plain sequential code here; at shutdown they end within ~50 ms (`stopping`).
helix_worker_actor::behavior_type helix_worker_fn(
    helix_worker_actor::stateful_pointer<helix_worker_state> self,
    helix_worker_config cfg);

}  // namespace eventsubd
