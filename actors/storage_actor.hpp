#pragma once

#include "actors/interfaces.hpp"
#include "storage/backend.hpp"
#include "storage/journal.hpp"
#include "storage/read_model.hpp"

#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd {

struct storage_options {
  std::string backend_name = "memory";  // for logs
  bool durable = false;                 // the backend outlives the process (Redis)
  /// Accepted writes that may wait for the backend (while it is down); when full, writes
  /// are refused (the webhook answers 503, so Twitch retries later).
  size_t queue_limit = 10000;
  /// While the backend is down, a write is answered as soon as it is queued (true), or
  /// only once the backend has it (false: with REDIS_MIN_REPLICAS a write counts only
  /// once the replicas have it, so nothing queued may be acknowledged before).
  bool answer_when_queued = true;
  /// At most this many queued writes go to the backend in one batch.
  size_t batch_limit = 512;
  /// Where status bodies are published for readers on other threads (may be null).
  std::shared_ptr<storage::status_view> published_statuses;
  /// The journal (storage/journal.hpp) of writes acknowledged while the backend is
  /// down; null: they wait in memory only, and stopping the process loses them.
  std::shared_ptr<storage::journal> journal;
  /// What the journal held at start (left by the last run): sent to the backend, in
  /// order, before anything is loaded or served.
  std::vector<storage::write_op> replay;
};

/// One accepted write on its way to the backend.
struct pending_write {
  std::vector<storage::write_op> ops;  // moved into a batch when sent
  std::function<void()> on_stored;     // answers the writer's client; empty once answered
  bool acknowledged = false;  // answered before the backend had it (outage: journaled)

  /// Answers the client, if it still waits, before the backend has the write.
  void acknowledge() {
    if (!on_stored) return;
    std::exchange(on_stored, nullptr)();
    acknowledged = true;
  }
};

struct storage_state {
  static inline const char* name = "storage";
  storage_writer_actor writer;
  storage_options opts;
  storage::read_model model;
  bool loaded =
      false;  // nothing is served or written before the backend's data is loaded
  bool load_failure_logged = false;
  bool full_logged = false;  // "queue full" is said once per outage
  bool backend_up = false;   // the writer's last call succeeded
  std::chrono::steady_clock::time_point down_since;
  std::chrono::milliseconds backoff{0};
  std::deque<pending_write> queue;  // accepted, not yet stored, in order
  storage::write_batch in_flight;   // the batch the writer has (or must get again)
  size_t in_flight_entries = 0;     // how many queue entries it covers, from the front
  bool sending = false;             // a flush request is outstanding
  bool probing = false;             // a ping request is outstanding
  std::vector<std::string> seen;    // message ids loaded at start, for the webhook actor
  std::vector<caf::typed_response_promise<std::vector<std::string>>>
      seen_waiting;  // asked before the load
  std::vector<caf::typed_response_promise<caf::ok_atom>> ready_waiting;
  // The journal (see actors/storage_queue.cpp): the queue's front `journaled` entries
  // are in it, the next `journaling` are being appended, the rest are in memory only.
  journal_writer_actor journal;  // null without a journal
  size_t journaled = 0;
  size_t journaling = 0;
  bool journal_busy = false;    // an append or reset is outstanding
  bool journal_dirty = false;   // it holds records (until reset)
  bool journal_failed = false;  // its last call failed: retried, logged once
  std::chrono::steady_clock::time_point journal_retry_at;
  size_t replayed = 0;  // start-up: ops of `opts.replay` the backend has
  bool replay_started = false;
  bool replay_failure_logged = false;
  // Declared so this is no aggregate: CAF would otherwise construct it from the actor.
  storage_state() = default;
  storage_state(const storage_state&) = delete;
  storage_state& operator=(const storage_state&) = delete;
  ~storage_state();
};

/// The single writer. At start it sends what the journal held to the backend, then loads
/// the read model through the writer actor (retrying every second while the backend is
/// unreachable; until then every request fails with 503, so nothing acts on an empty
/// picture, e.g. deletes subscriptions it would think orphaned). Then every write is
/// applied to the read model and queued, in order, for the backend; batches go to the
/// writer one at a time (group commit).
///
/// While the backend is up, a write is answered once the backend has it. While it is
/// down, a write is answered once the journal has it on disk (one sync per group of
/// writes), or without a journal as soon as it is queued (bounded by `queue_limit`;
/// beyond that writes are refused), unless `answer_when_queued` is off: then it is
/// answered only once the backend has it. The queue is replayed in order when the
/// backend is back. Reads never wait for the backend: they are served from the read
/// model's cached bodies.
///
/// Its handlers, grouped in that order here and in actors/interfaces.hpp:
///  - HTTP (`storage_http_actor`): answer a REST request through its `reply_once` with a
///    `query_result` whose body the read model (or storage/bodies.hpp, for /health)
///    built; this actor builds no JSON itself;
///  - typed requests of other actors (`replies_to`): the writes, answered once stored
///    (see above), and the reads and start-up questions, answered with plain values;
///  - fire-and-forget: a revoked subscription, a seen message id, and its own timers
///    (load, ping); never answered.
storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    const storage_writer_actor& writer, const journal_writer_actor& journal,
    storage_options opts);

/// Spawns the writer (detached when the backend blocks), the journal writer (detached,
/// when `opts.journal` is set) and the storage actor, linked.
storage_actor spawn_storage(caf::actor_system& sys,
                            std::shared_ptr<storage::backend> backend,
                            storage_options opts = {});

}  // namespace eventsubd
