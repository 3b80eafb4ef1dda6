#pragma once

#include "actors/interfaces.hpp"
#include "twitch/helix_client.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

namespace eventsubd {

struct twitch_client_config {
  twitch::helix_config helix;
  std::string callback;  // WEBHOOK_URL; empty: no subscriptions can be made
  std::string secret;    // usable WEBHOOK_SECRET; empty: likewise
  std::chrono::seconds validate_every{3600};
  std::shared_ptr<std::atomic<bool>> stopping;  // set at shutdown: waits end early
  // Shared by every Twitch client of the process: Twitch has one token and one
  // rate-limit bucket per client id.
  std::shared_ptr<twitch::app_token> token;
  std::shared_ptr<twitch::rate_budget> budget;
  twitch::work_class work = twitch::work_class::interactive;
};

struct twitch_client_state {
  static inline const char* name = "twitch_client";
  twitch_client_state() = default;
  twitch_client_config cfg;
  std::optional<twitch::helix_client> helix;
};

/// Spawn detached: every handler is blocking Helix work on this actor's own thread.
twitch_client_actor::behavior_type twitch_client_fn(
    twitch_client_actor::stateful_pointer<twitch_client_state> self,
    twitch_client_config cfg);

}  // namespace eventsubd
