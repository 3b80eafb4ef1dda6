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

/// Runs the backend's calls for the storage actor; detached when they block (Redis).
using storage_writer_actor = caf::typed_actor<
    // Read everything (start-up).
    caf::replies_to<load_atom>::with<storage::snapshot>,
    // Apply writes in order (idempotent, so a failed batch may be sent again).
    caf::replies_to<flush_atom, storage::write_batch>::with<caf::ok_atom>,
    // Is the backend reachable?
    caf::replies_to<ping_atom>::with<caf::ok_atom>>;

/// The single writer: owns the read model (with cached JSON bodies) and the ordered queue
/// of writes on their way to the backend.
using storage_actor = caf::typed_actor<
    // GET /streamers/{login}/status for a known streamer; not_found otherwise.
    caf::reacts_to<status_atom, std::string, reply_once>,
    // GET /streams/live.
    caf::reacts_to<live_atom, reply_once>,
    // GET /events?limit=N (N already validated: 1..1000).
    caf::reacts_to<events_atom, uint32_t, reply_once>,
    // GET /streamers.
    caf::reacts_to<streamers_atom, reply_once>,
    // One monitored streamer's record (JSON); not_found when it is not monitored.
    caf::reacts_to<caf::get_atom, streamer_atom, std::string, reply_once>,
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
    // What is stored about one broadcaster by user id (status, state machine memory).
    caf::replies_to<caf::get_atom, by_id_atom, std::string>::with<stored_broadcaster>,
    // A subscription was revoked: mark the streamer inactive.
    caf::reacts_to<revoked_atom, revocation_notice>,
    // Timer: load the read model from the backend (retried until it succeeds).
    caf::reacts_to<load_atom>,
    // Timer: probe the backend (every second while up, with backoff while down).
    caf::reacts_to<ping_atom>,
    // Remember a processed EventSub message id for this many seconds (survives a
    // restart with Redis).
    caf::reacts_to<seen_atom, std::string, uint32_t>,
    // Answered once the backend's data is loaded.
    caf::replies_to<ready_atom>::with<caf::ok_atom>,
    // The message ids remembered by the backend at start-up (answered once loaded).
    caf::replies_to<caf::get_atom, seen_atom>::with<std::vector<std::string>>,
    // Replace a status without an event (metadata update, start-up initialisation),
    // with the state machine's memory when that changed too.
    caf::replies_to<caf::put_atom, status_update>::with<caf::ok_atom>>;

/// Twitch (Helix with an app token). Detached: its handlers block on HTTPS, so compound
/// operations are plain sequential code there. Failures are errors of the `eventsubd`
/// category carrying an errc (see actors/twitch_errors.hpp).
using twitch_client_actor = caf::typed_actor<
    // Resolve lowercase logins (100 per call); unknown logins are missing from the
    // answer.
    caf::replies_to<caf::get_atom, users_atom,
                    std::vector<std::string>>::with<std::vector<twitch::twitch_user>>,
    // The live streams of these user ids (100 per call).
    caf::replies_to<caf::get_atom, streams_atom,
                    std::vector<std::string>>::with<std::vector<twitch::twitch_stream>>,
    // Make sure both subscriptions of a streamer exist; answers the updated record.
    caf::replies_to<subscribe_atom, streamer_record>::with<streamer_record>,
    // Delete a streamer's subscriptions (404 there = already gone).
    caf::replies_to<unsub_atom, streamer_record>::with<caf::ok_atom>,
    // Delete subscriptions by id (404 there = already gone).
    caf::replies_to<unsub_atom, std::vector<std::string>>::with<caf::ok_atom>,
    // Bring Twitch's subscriptions for our callback in line with the monitored set:
    // answers the updated records and our subscriptions of broadcasters not in the set
    // (deleted by the manager once it knows no add of theirs is under way).
    caf::replies_to<reconcile_atom, std::vector<streamer_record>>::with<reconcile_result>,
    // Timer: validate the token (hourly).
    caf::reacts_to<validate_atom>>;

/// One broadcaster's state machine (offline <-> live).
using streamer_actor = caf::typed_actor<
    // Apply (or reject as duplicate/stale) an online/offline report.
    caf::reacts_to<observe_atom, stream_report, reply_once>,
    // A Get Streams poll result: metadata, corrections (debounced), start-up state.
    caf::reacts_to<poll_atom, poll_report>,
    // Timer: fetch the metadata of the stream that just went online (attempt n).
    caf::reacts_to<metadata_atom, std::string, int>,
    // Timer: Helix's lag window after this stream's offline has passed; poll it again.
    caf::reacts_to<recheck_atom, std::string>>;

/// Owns one streamer actor per broadcaster, spawned on first report and monitored.
using streamer_supervisor_actor = caf::typed_actor<
    // Route a report to the broadcaster's actor.
    caf::reacts_to<observe_atom, stream_report, reply_once>,
    // Route a poll result to the broadcaster's actor.
    caf::reacts_to<poll_atom, poll_report>>;

/// Adds and removes streamers (with their subscriptions), runs start-up and the
/// periodic reconciliation, and reacts to revocations.
using subscription_manager_actor = caf::typed_actor<
    // POST /streamers/{login} (login validated and lowercased).
    caf::reacts_to<caf::add_atom, std::string, reply_once>,
    // DELETE /streamers/{login}.
    caf::reacts_to<caf::delete_atom, std::string, reply_once>,
    // A subscription was revoked.
    caf::reacts_to<revoked_atom, revocation_notice>,
    // Reconcile subscriptions; `true` = the periodic timer (every 30 minutes), which
    // re-arms.
    caf::reacts_to<reconcile_atom, bool>,
    // Once, after the server listens: default streamers, statuses, reconcile, refresher.
    caf::reacts_to<startup_atom>,
    // Timer: resolving DEFAULT_STREAMERS failed (Twitch down at start-up); try again.
    caf::reacts_to<defaults_atom>>;

/// Polls Get Streams for every monitored streamer every REFRESH_INTERVAL seconds.
using refresher_actor = caf::typed_actor<
    // Timer: one refresh round; `true` = start-up initialisation (statuses, no events).
    caf::reacts_to<refresh_atom, bool>,
    // Start-up: the initialisation round; answers when it is done.
    caf::replies_to<startup_atom>::with<caf::ok_atom>>;

/// GET /streamers/{login}/status for a broadcaster we hold no status for: asks Helix,
/// caches the answer about a minute, never stores it.
using status_lookup_actor =
    caf::typed_actor<caf::reacts_to<status_atom, std::string, reply_once>>;

/// Twitch's webhook: verify, replay window, dedupe, parse, route.
using webhook_actor = caf::typed_actor<
    // One delivery from POST /webhooks/eventsub.
    caf::reacts_to<webhook_atom, webhook_request, reply_once>,
    // Forget a message id whose processing failed, so Twitch's retry is applied.
    caf::reacts_to<forget_atom, std::string>,
    // Timer: drop message ids older than the dedupe horizon.
    caf::reacts_to<sweep_atom>,
    // Start-up: fetch the message ids the storage remembers (retried until it answers).
    caf::reacts_to<load_atom>,
    // Answered once those ids are in (until then events get 503).
    caf::replies_to<ready_atom>::with<caf::ok_atom>>;

}  // namespace eventsubd
