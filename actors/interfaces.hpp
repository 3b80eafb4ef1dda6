#pragma once

#include "actors/atoms.hpp"
#include "actors/messages.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

// Every typed actor interface of eventsubd. Handlers that end in `reply_once` answer an
// HTTP request through that callback (the cheap bridge measured in stack-notes); the
// others are plain CAF request/response.
namespace eventsubd {

/// An extension: any actor that wants stream changes implements this and subscribes on
/// the event bus (see app/extensions.cpp and the README).
using stream_listener_actor = caf::typed_actor<
    // A change was applied and stored.
    caf::reacts_to<stream_change>>;

/// Fans every applied change out to the subscribed listeners.
using event_bus_actor = caf::typed_actor<
    // Announce a change to every listener.
    caf::reacts_to<publish_atom, stream_change>,
    // Add a listener (dropped automatically when it terminates).
    caf::reacts_to<subscribe_atom, stream_listener_actor>>;

/// The single writer: owns the backend and the read model (with cached JSON bodies).
using storage_actor = caf::typed_actor<
    // GET /streamers/{login}/status for a known streamer; not_found otherwise.
    caf::reacts_to<status_atom, std::string, reply_once>,
    // GET /streams/live.
    caf::reacts_to<live_atom, reply_once>,
    // GET /events?limit=N (N already validated: 1..1000).
    caf::reacts_to<events_atom, uint32_t, reply_once>,
    // GET /streamers.
    caf::reacts_to<streamers_atom, reply_once>,
    // GET /health.
    caf::reacts_to<health_atom, reply_once>,
    // Store a status change and its event together.
    caf::replies_to<record_atom, transition>::with<caf::ok_atom>,
    // Insert or replace a monitored streamer.
    caf::replies_to<caf::put_atom, streamer_record>::with<caf::ok_atom>,
    // Remove a monitored streamer and its status; answers whether it existed.
    caf::replies_to<caf::delete_atom, std::string>::with<bool>,
    // All monitored streamers.
    caf::replies_to<caf::get_atom, streamers_atom>::with<std::vector<streamer_record>>,
    // The stored status of one broadcaster by user id (empty when none).
    caf::replies_to<caf::get_atom, by_id_atom,
                    std::string>::with<std::vector<stream_status>>,
    // A subscription was revoked: mark the streamer inactive.
    caf::reacts_to<revoked_atom, revocation_notice>>;

/// One broadcaster's state machine (offline <-> live).
using streamer_actor = caf::typed_actor<
    // Apply (or reject as duplicate/stale) an online/offline report.
    caf::reacts_to<observe_atom, stream_report, reply_once>>;

/// Owns one streamer actor per broadcaster, spawned on first report and monitored.
using streamer_supervisor_actor = caf::typed_actor<
    // Route a report to the broadcaster's actor.
    caf::reacts_to<observe_atom, stream_report, reply_once>>;

/// Twitch's webhook: verify, replay window, dedupe, parse, route.
using webhook_actor = caf::typed_actor<
    // One delivery from POST /webhooks/eventsub.
    caf::reacts_to<webhook_atom, webhook_request, reply_once>,
    // Forget a message id whose processing failed, so Twitch's retry is applied.
    caf::reacts_to<forget_atom, std::string>,
    // Timer: drop message ids older than the dedupe horizon.
    caf::reacts_to<sweep_atom>>;

}  // namespace eventsubd
