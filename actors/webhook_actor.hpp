#pragma once

#include "actors/interfaces.hpp"
#include "twitch/eventsub_message.hpp"
#include "twitch/seen_messages.hpp"
#include "twitch/signature.hpp"

#include <caf/typed_response_promise.hpp>

#include <memory>
#include <string>

namespace eventsubd {

/// Settings of the webhook stage.
struct webhook_config {
  std::string secret;                // usable secret, or empty when disabled
  std::string disabled_detail;       // the 503 detail when disabled (names the variable)
  std::chrono::seconds window{600};  // replay window (both directions)
  std::chrono::seconds dedupe_horizon{1200};  // how long seen message ids are kept
};

struct webhook_state {
  static inline const char* name = "webhook";
  webhook_config cfg;
  std::unique_ptr<twitch::signature_verifier> verifier;
  twitch::eventsub_parser parser;
  twitch::seen_messages seen;  // message ids, expired after cfg.dedupe_horizon
  bool seen_loaded = false;    // the ids the backend remembers (Redis) have arrived
  std::vector<caf::typed_response_promise<caf::ok_atom>> ready_waiting;
};

/// POST /webhooks/eventsub: verify the signature (constant time) -> replay window ->
/// dedupe by message id -> parse -> route stream.online/offline to the streamer
/// supervisor, revocations to storage (mark inactive) and the subscription manager.
/// Challenges are answered from the secret alone. Processed message ids are also kept by
/// the storage (Redis: `twitch:seen_message:<id>` with a TTL) and read back at start, so
/// a redelivery after a restart is still a duplicate; until they are read, events get
/// 503.
webhook_actor::behavior_type webhook_fn(
    webhook_actor::stateful_pointer<webhook_state> self, webhook_config cfg,
    const streamer_supervisor_actor& supervisor, const storage_actor& storage,
    const subscription_manager_actor& manager);

}  // namespace eventsubd
