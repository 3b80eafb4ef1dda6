#pragma once

#include "actors/interfaces.hpp"
#include "twitch/seen_messages.hpp"

#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace eventsubd {

/// Settings of the webhook's stateful stage.
struct webhook_config {
  std::chrono::seconds dedupe_horizon{1200};  // how long seen message ids are kept
};

struct webhook_state {
  static inline const char* name = "webhook";
  webhook_config cfg;
  twitch::seen_messages seen;  // message ids, expired after cfg.dedupe_horizon
  /// Those of `seen` whose change is still on its way to storage, each with the
  /// redeliveries that arrived meanwhile: they are answered as the first one is
  /// ("duplicate" once stored, 503 if it cannot be), never with a 2xx before.
  std::map<twitch::seen_messages::key, std::vector<reply_once>> pending;
  bool seen_loaded = false;  // the ids the backend remembers (Redis) have arrived
  std::vector<caf::typed_response_promise<caf::ok_atom>> ready_waiting;
};

/// POST /webhooks/eventsub after the gate (twitch/webhook_gate, on the HTTP thread:
/// signature, message id, replay window, structure; challenges answered there): dedupe
/// by message id, then route stream.online/offline to the streamer supervisor and
/// revocations to storage (mark inactive) and the subscription manager. Processed
/// message ids are also kept by the storage (Redis: `twitch:seen_message:<id>` with a
/// TTL) and read back at start, so a redelivery after a restart is still a duplicate;
/// until they are read, events get 503.
webhook_actor::behavior_type webhook_fn(
    webhook_actor::stateful_pointer<webhook_state> self, webhook_config cfg,
    const streamer_supervisor_actor& supervisor, const storage_actor& storage,
    const subscription_manager_actor& manager);

}  // namespace eventsubd
