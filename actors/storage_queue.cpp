#include "actors/storage_queue.hpp"

#include "actors/errors.hpp"
#include "actors/storage_journal.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace eventsubd::storage_queue {

namespace {

constexpr auto probe_period = std::chrono::seconds(1);  // while the backend is up
constexpr auto first_backoff = std::chrono::milliseconds(250);
constexpr auto max_backoff = std::chrono::seconds(5);
constexpr auto load_retry = std::chrono::seconds(1);

const std::string queue_full =
    "Storage is unavailable and its write queue is full; retry later";
const std::string journal_unwritable =
    "Storage is unavailable and its journal cannot be written; retry later";

}  // namespace

std::string reason(self_ptr self, const caf::error& err) {
  if (is_eventsubd_error(err)) return to_query_result(err).detail;
  return self->system().render(err);
}

bool healthy(const storage_state& st) {
  return st.loaded && st.backend_up && !st.journal_failed;
}

void publish_gauges(const storage_state& st) {
  metrics::streamers(static_cast<int64_t>(st.model.streamer_count()),
                     static_cast<int64_t>(st.model.live_count()));
  metrics::storage_state(static_cast<int64_t>(st.queue.size()), healthy(st));
}

namespace {

void went_down(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.backend_up) return;
  st.backend_up = false;
  st.down_since = std::chrono::steady_clock::now();
  st.backoff = first_backoff;
  log_for("storage")->error(
      "storage: the {} backend is unavailable ({}); queuing up to {} writes in order{} "
      "and retrying with backoff",
      st.opts.backend_name, why, st.opts.queue_limit,
      st.journal ? " in the journal " + journal_path(st) : " in memory");
  // Without a journal, the writes waiting count as accepted now: queued in order and
  // replayed later (lost if the process stops first). With one, once it has them. With
  // REDIS_MIN_REPLICAS (answer_when_queued off), only once the backend has them.
  if (!st.journal && st.opts.answer_when_queued)
    for (auto& w : st.queue) w.acknowledge();
  publish_gauges(st);
  pump(self);
}

void came_back(self_ptr self) {
  auto& st = self->state;
  if (st.backend_up) return;
  st.backend_up = true;
  st.full_logged = false;
  std::chrono::duration<double> down = std::chrono::steady_clock::now() - st.down_since;
  log_for("storage")->info(
      "storage: the {} backend is back after {:.1f} s; replaying {} queued writes",
      st.opts.backend_name, down.count(), st.queue.size());
  publish_gauges(st);
  pump(self);
}

void flush_done(self_ptr self) {
  auto& st = self->state;
  for (size_t i = 0; i < st.in_flight_entries; ++i) {
    if (st.queue.front().on_stored) st.queue.front().on_stored();
    st.queue.pop_front();
  }
  st.journaled -= std::min(st.journaled, st.in_flight_entries);
  st.in_flight.reset();
  st.in_flight_entries = 0;
  st.sending = false;
  publish_gauges(st);
  pump(self);
}

/// Makes the batch to send from the queue's front, unless one that failed waits to go
/// again first. False when there is nothing the backend may have now.
bool prepare_batch(storage_state& st) {
  if (st.in_flight) return may_send(st, st.in_flight_entries);
  if (st.queue.empty()) return false;
  auto n = std::min(st.queue.size(), st.opts.batch_limit);
  if (st.journaled > 0) n = std::min(n, st.journaled);
  if (!may_send(st, n)) return false;
  auto ops = std::make_shared<std::vector<storage::write_op>>();
  for (size_t i = 0; i < n; ++i)
    for (auto& op : st.queue[i].ops) ops->push_back(std::move(op));
  st.in_flight = std::move(ops);
  st.in_flight_entries = n;
  return true;
}

}  // namespace

/// Moves writes on: to the journal (see journal_step), and the next batch to the
/// backend when it is up and nothing is outstanding: writes that arrive meanwhile go
/// together in the next one (group commit).
void pump(self_ptr self) {
  journal_step(self);
  auto& st = self->state;
  if (st.sending || !st.backend_up || !prepare_batch(st)) return;
  st.sending = true;
  self->request(st.writer, caf::infinite, flush_atom::value, st.in_flight)
      .then([=](caf::ok_atom) { flush_done(self); },
            [=](const caf::error& err) {
              self->state.sending = false;
              went_down(self, reason(self, err));
              pump(self);  // journals the refused batch when it was already down
            });
}

namespace {

void schedule_probe(self_ptr self) {
  auto& st = self->state;
  auto delay = st.backend_up ? std::chrono::milliseconds(probe_period) : st.backoff;
  self->delayed_send(self, delay, ping_atom::value);
}

/// While down, the next retry waits longer.
void back_off(storage_state& st) {
  st.backoff = std::min<std::chrono::milliseconds>(st.backoff * 2, max_backoff);
}

/// While down with writes waiting, the replay itself is the probe: Redis can answer a
/// PING while it refuses writes (an ACL without a command: NOPERM), and coming back on
/// the PING would report a new outage at every retry.
void replay_probe(self_ptr self) {
  auto& st = self->state;
  st.probing = true;
  st.sending = true;
  self->request(st.writer, caf::infinite, flush_atom::value, st.in_flight)
      .then(
          [=](caf::ok_atom) {
            self->state.probing = false;
            came_back(self);  // counts the batch just stored among the replayed ones
            flush_done(self);
            schedule_probe(self);
          },
          [=](const caf::error&) {
            auto& st = self->state;
            st.probing = false;
            st.sending = false;
            back_off(st);
            pump(self);  // a refused memory-only batch goes to the journal
            schedule_probe(self);
          });
}

}  // namespace

void load(self_ptr self) {
  self->request(self->state.writer, caf::infinite, load_atom::value)
      .then(
          [=](storage::snapshot& snap) {
            auto& st = self->state;
            log_for("storage")->info(
                "storage: {} backend loaded: {} streamers, {} statuses, {} events, {} "
                "seen message ids",
                st.opts.backend_name, snap.streamers.size(), snap.statuses.size(),
                snap.events.size(), snap.seen.size());
            st.model.load(std::move(snap.streamers), std::move(snap.statuses),
                          snap.events, storage::events_kept);
            st.model.load_memories(std::move(snap.memories));
            st.seen = std::move(snap.seen);
            st.loaded = true;
            for (auto& rp : std::exchange(st.seen_waiting, {}))
              rp.deliver(std::exchange(st.seen, {}));
            for (auto& rp : std::exchange(st.ready_waiting, {}))
              rp.deliver(caf::ok_atom::value);
            st.backend_up = true;
            publish_gauges(st);
            schedule_probe(self);
            pump(self);  // empties a journal just replayed
          },
          [=](const caf::error& err) {
            auto& st = self->state;
            auto log = log_for("storage");
            if (!st.load_failure_logged)
              log->error(
                  "storage: loading from the {} backend failed, retrying every "
                  "second: {}",
                  st.opts.backend_name, reason(self, err));
            st.load_failure_logged = true;
            self->delayed_send(self, load_retry, load_atom::value);
          });
}

void start(self_ptr self) {
  auto& st = self->state;
  if (st.loaded) return;
  if (st.replayed < st.opts.replay.size()) return replay_journal(self);
  load(self);
}

/// Pings the backend: every second while it is up (so /health notices an outage with no
/// writes), with growing backoff while it is down. Also retries a failed journal call.
void probe(self_ptr self) {
  auto& st = self->state;
  journal_step(self);
  if (st.probing) return;
  if (!st.backend_up && !st.sending && prepare_batch(st)) return replay_probe(self);
  st.probing = true;
  self->request(st.writer, caf::infinite, ping_atom::value)
      .then(
          [=](caf::ok_atom) {
            auto& st = self->state;
            st.probing = false;
            // While writes wait, only a stored batch proves the backend is back (this
            // PING may have been sent before a write was refused).
            if (st.queue.empty()) came_back(self);
            schedule_probe(self);
          },
          [=](const caf::error& err) {
            auto& st = self->state;
            st.probing = false;
            if (st.backend_up)
              went_down(self, reason(self, err));
            else
              back_off(st);
            schedule_probe(self);
          });
}

std::optional<caf::error> cannot_write(self_ptr self) {
  auto& st = self->state;
  if (!st.loaded) return make_caf_error(errc::unavailable, not_loaded);
  if (st.queue.size() >= st.opts.queue_limit) {
    if (!std::exchange(st.full_logged, true))
      log_for("storage")->warn(
          "storage: write queue full ({} writes); refusing writes until it drains",
          st.queue.size());
    return make_caf_error(errc::unavailable, queue_full);
  }
  // Nothing new is acknowledged that could only wait in memory.
  if (st.journal_failed && !st.backend_up)
    return make_caf_error(errc::unavailable, journal_unwritable);
  return std::nullopt;
}

void enqueue(self_ptr self, std::vector<storage::write_op> ops,
             std::function<void()> on_stored) {
  auto& st = self->state;
  if (!st.opts.durable) {
    // A backend that does not outlive the process (memory) could only give the writes
    // back to a later load of this same process, which never happens: the read model
    // already is the whole store. Copying every write into it cost a second copy of
    // the state (RSS) and two mailbox hops per write.
    if (on_stored) on_stored();
    publish_gauges(st);
    return;
  }
  // Without a journal, a write queued while the backend is down is acknowledged at
  // once; with one, once the journal has it (journal_step); with answer_when_queued
  // off, only once the backend has it.
  bool acknowledged =
      st.opts.answer_when_queued && !st.journal && !st.backend_up && on_stored;
  if (acknowledged) std::exchange(on_stored, nullptr)();
  st.queue.push_back({std::move(ops), std::move(on_stored), acknowledged});
  publish_gauges(st);
  pump(self);
}

}  // namespace eventsubd::storage_queue
