#pragma once

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/twitch_messages.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

// Every typed actor interface of eventsubd. Handlers that end in `reply_once` answer an
// HTTP request through that callback (the cheap bridge measured in stack-notes);
// `replies_to` handlers are plain CAF request/response between actors; the other
// `reacts_to` handlers are fire-and-forget (timers, notices) and never answered.
namespace eventsubd {

/// An extension's listener: any actor that wants stream changes implements this and
/// subscribes on the event bus (see extensions/kit/kit.hpp and the README).
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

/// Appends to the storage journal and syncs it; blocking file I/O, so spawned detached.
/// Only the storage actor talks to it (see storage/journal.hpp).
using journal_writer_actor = caf::typed_actor<
    // Append framed records; answered once they are on disk (fdatasync).
    caf::replies_to<append_atom, std::string>::with<caf::ok_atom>,
    // Drop every record: the backend has them all.
    caf::replies_to<reset_atom>::with<caf::ok_atom>>;

/// The storage actor's HTTP side: each handler answers one REST request through its
/// `reply_once`, with a `query_result` the REST layer sends as is (a body from the read
/// model, or an error: unavailable until the backend's data is loaded). Only the REST
/// layer (app/actor_service) sends these, and it holds no more than this handle.
using storage_http_actor = caf::typed_actor<
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
    // GET /health: 200 while the backend is reachable, 503 otherwise.
    caf::reacts_to<health_atom, reply_once>>;

/// The single writer: owns the read model (with cached JSON bodies) and the ordered queue
/// of writes on their way to the backend. Its handlers come in three kinds:
///  - HTTP (storage_http_actor above): answered through a `reply_once`;
///  - typed requests of other actors (`replies_to`): answered with a CAF response, or a
///    CAF error (before the load; writes also while the queue is full);
///  - fire-and-forget (`reacts_to`, no `reply_once`): never answered.
using storage_actor = storage_http_actor::extend<
    // --- Typed requests of other actors: writes, answered once stored (or journaled) --
    // Store a status change and its event together.
    caf::replies_to<record_atom, transition>::with<caf::ok_atom>,
    // Replace a status without an event (metadata update, start-up initialisation),
    // with the state machine's memory when that changed too.
    caf::replies_to<caf::put_atom, status_update>::with<caf::ok_atom>,
    // Insert or replace a monitored streamer.
    caf::replies_to<caf::put_atom, streamer_record>::with<caf::ok_atom>,
    // Remove a monitored streamer and its status; answers whether it existed.
    caf::replies_to<caf::delete_atom, std::string>::with<bool>,
    // --- Typed requests of other actors: start-up and reads ---------------------------
    // Answered once the backend's data is loaded.
    caf::replies_to<ready_atom>::with<caf::ok_atom>,
    // The message ids remembered by the backend at start-up (answered once loaded).
    caf::replies_to<caf::get_atom, seen_atom>::with<std::vector<std::string>>,
    // All monitored streamers.
    caf::replies_to<caf::get_atom, streamers_atom>::with<std::vector<streamer_record>>,
    // What the refresher polls: every monitored streamer, and every broadcaster with a
    // stored live status that is not monitored (so no live status outlives monitoring).
    caf::replies_to<caf::get_atom, targets_atom>::with<std::vector<streamer_record>>,
    // One stored status by login (the extension kit's reads); not_found when none is.
    caf::replies_to<caf::get_atom, status_atom, std::string>::with<stream_status>,
    // What is stored about one broadcaster by user id (status, state machine memory).
    caf::replies_to<caf::get_atom, by_id_atom, std::string>::with<stored_broadcaster>,
    // --- Fire-and-forget: never answered ---------------------------------------------
    // A subscription was revoked: mark the streamer inactive.
    caf::reacts_to<revoked_atom, revocation_notice>,
    // Remember a processed EventSub message id for this many seconds (survives a
    // restart with Redis); best effort.
    caf::reacts_to<seen_atom, std::string, uint32_t>,
    // Timer (its own): load the read model from the backend (retried until it succeeds).
    caf::reacts_to<load_atom>,
    // Timer (its own): probe the backend (every second while up, with backoff while
    // down).
    caf::reacts_to<ping_atom>>;

/// One blocking Helix worker: a detached actor owning one helix_client of a fixed work
/// class (its place in the shared rate budget). Only the Twitch scheduler talks to it.
/// Failures are errors carrying an errc (see actors/errors.hpp).
using helix_worker_actor = caf::typed_actor<
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
    // List Twitch's subscriptions, decide (twitch/reconcile_plan) and carry it out.
    caf::replies_to<reconcile_atom, std::vector<streamer_record>>::with<reconcile_result>,
    // Validate the app token (or fetch one).
    caf::replies_to<validate_atom>::with<caf::ok_atom>>;

/// Twitch work, scheduled by who is waiting: every request carries a ticket (its work
/// class, deadline and abandoned flag). Interactive work (adds, removes) never queues
/// behind bulk work or public lookups; queues are bounded (503 with Retry-After when
/// full); a request whose deadline passed or whose requester went away is dropped before
/// it reaches Twitch. Same operations and answers as helix_worker_actor.
using twitch_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, users_atom, twitch_ticket,
                    std::vector<std::string>>::with<std::vector<twitch::twitch_user>>,
    caf::replies_to<caf::get_atom, streams_atom, twitch_ticket,
                    std::vector<std::string>>::with<std::vector<twitch::twitch_stream>>,
    caf::replies_to<subscribe_atom, twitch_ticket,
                    streamer_record>::with<streamer_record>,
    caf::replies_to<unsub_atom, twitch_ticket, streamer_record>::with<caf::ok_atom>,
    caf::replies_to<unsub_atom, twitch_ticket,
                    std::vector<std::string>>::with<caf::ok_atom>,
    caf::replies_to<reconcile_atom, twitch_ticket,
                    std::vector<streamer_record>>::with<reconcile_result>,
    // Timer: validate the app token (hourly).
    caf::reacts_to<validate_atom>>;

/// One broadcaster's state machine (offline <-> live).
using streamer_actor = caf::typed_actor<
    // Apply (or reject as duplicate/stale) an online/offline report.
    caf::reacts_to<observe_atom, stream_report, reply_once>,
    // A Get Streams poll result: metadata, corrections (debounced), start-up state.
    caf::reacts_to<poll_atom, poll_report>,
    // What Get Streams said about a stream this actor watches (metadata, re-check).
    caf::reacts_to<watched_atom, watch_result>>;

/// A stream a streamer actor wants Get Streams news of.
struct stream_watch {
  streamer_actor watcher;
  std::string user_id;
  std::string stream_id;  // metadata: the stream that went online (empty: any)
  watch_purpose purpose = watch_purpose::metadata;
  std::chrono::steady_clock::time_point not_before;  // ask no earlier
  std::chrono::steady_clock::time_point give_up;     // metadata: stop asking then
};

/// Fetches what streamer actors watch for (a new stream's metadata, a re-check after
/// Helix's lag window) in batches: pending user ids are collected for a short window
/// and asked 100 per Get Streams call, retries batched too.
using stream_watcher_actor = caf::typed_actor<
    // Watch a stream; replaces the same actor's earlier watch of the same purpose.
    caf::reacts_to<watch_atom, stream_watch>,
    // Timer: ask Helix about everything due.
    caf::reacts_to<tick_atom>>;

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
    caf::typed_actor<caf::reacts_to<status_atom, std::string, reply_once>,
                     // Timer: drop expired answers.
                     caf::reacts_to<sweep_atom>>;

/// Twitch's webhook after the gate (twitch/webhook_gate, on the HTTP thread): dedupe by
/// message id, route.
using webhook_actor = caf::typed_actor<
    // One verified event (notification or revocation) from POST /webhooks/eventsub.
    caf::reacts_to<webhook_atom, twitch::verified_event, reply_once>,
    // Forget a message id whose processing failed, so Twitch's retry is applied.
    caf::reacts_to<forget_atom, std::string>,
    // A message id whose change was stored (acknowledged): a redelivery is a duplicate.
    caf::reacts_to<stored_atom, std::string>,
    // Timer: drop message ids older than the dedupe horizon.
    caf::reacts_to<sweep_atom>,
    // Start-up: fetch the message ids the storage remembers (retried until it answers).
    caf::reacts_to<load_atom>,
    // Answered once those ids are in (until then events get 503).
    caf::replies_to<ready_atom>::with<caf::ok_atom>>;

}  // namespace eventsubd

// Local only: carries an actor handle and steady-clock times.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::stream_watch)
