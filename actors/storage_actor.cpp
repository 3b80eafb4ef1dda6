#include "actors/storage_actor.hpp"

#include "actors/storage_writer.hpp"
#include "actors/twitch_errors.hpp"
#include "core/json_codec.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace eventsubd {
namespace {

using self_ptr = storage_actor::stateful_pointer<storage_state>;

constexpr auto probe_period = std::chrono::seconds(1);  // while the backend is up
constexpr auto first_backoff = std::chrono::milliseconds(250);
constexpr auto max_backoff = std::chrono::seconds(5);
constexpr auto load_retry = std::chrono::seconds(1);

const std::string not_loaded =
    "Storage is not available yet (the backend could not be loaded)";
const std::string queue_full =
    "Storage is unavailable and its write queue is full; retry later";

/// The writer's error, with the backend's text it carries as its context.
std::string reason(self_ptr self, const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>()) return context.get_as<std::string>(0);
  return self->system().render(err);
}

void pump(self_ptr self);

/// The figures /metrics shows about storage; cheap, so refreshed on every change.
void publish_gauges(const storage_state& st) {
  metrics::streamers(static_cast<int64_t>(st.model.streamer_count()),
                     static_cast<int64_t>(st.model.live_count()));
  metrics::storage_state(static_cast<int64_t>(st.queue.size()),
                         st.loaded && st.backend_up);
}

/// Answers every write still waiting: they are queued in order and will be replayed, so
/// they count as accepted.
void answer_waiting(storage_state& st) {
  for (auto& w : st.queue)
    if (w.on_stored) {
      std::exchange(w.on_stored, nullptr)();
      w.acknowledged = true;
    }
}

void went_down(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.backend_up) return;
  st.backend_up = false;
  st.down_since = std::chrono::steady_clock::now();
  st.backoff = first_backoff;
  log_for("storage")->error(
      "storage: the {} backend is unavailable ({}); queuing up to {} writes in order "
      "and retrying with backoff",
      st.opts.backend_name, why, st.opts.queue_limit);
  answer_waiting(st);
  publish_gauges(st);
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
  st.in_flight.reset();
  st.in_flight_entries = 0;
  st.sending = false;
  publish_gauges(st);
  pump(self);
}

/// Makes the batch to send from the queue's front, unless one that failed waits to go
/// again first. False when there is nothing to send.
bool prepare_batch(storage_state& st) {
  if (st.in_flight) return true;
  if (st.queue.empty()) return false;
  auto ops = std::make_shared<std::vector<storage::write_op>>();
  auto n = std::min(st.queue.size(), st.opts.batch_limit);
  for (size_t i = 0; i < n; ++i)
    for (auto& op : st.queue[i].ops) ops->push_back(std::move(op));
  st.in_flight = std::move(ops);
  st.in_flight_entries = n;
  return true;
}

/// Sends the next batch when the backend is up and nothing is outstanding: writes that
/// arrive meanwhile go together in the next one (group commit).
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.sending || !st.backend_up || !prepare_batch(st)) return;
  st.sending = true;
  self->request(st.writer, caf::infinite, flush_atom::value, st.in_flight)
      .then([=](caf::ok_atom) { flush_done(self); },
            [=](const caf::error& err) {
              self->state.sending = false;
              went_down(self, reason(self, err));
            });
}

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
            schedule_probe(self);
          });
}

/// Pings the backend: every second while it is up (so /health notices an outage with no
/// writes), with growing backoff while it is down.
void probe(self_ptr self) {
  auto& st = self->state;
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

/// Why a write cannot be accepted now, if it cannot.
std::optional<caf::error> cannot_write(self_ptr self) {
  auto& st = self->state;
  if (!st.loaded) return caf::make_error(caf::sec::runtime_error, not_loaded);
  if (st.queue.size() >= st.opts.queue_limit) {
    if (!std::exchange(st.full_logged, true))
      log_for("storage")->warn(
          "storage: write queue full ({} writes); refusing writes until it drains",
          st.queue.size());
    return caf::make_error(caf::sec::runtime_error, queue_full);
  }
  return std::nullopt;
}

/// Queues an accepted write (already applied to the read model). `on_stored` runs when
/// the backend has it, or at once while the backend is down (the write is then queued).
void enqueue(self_ptr self, std::vector<storage::write_op> ops,
             std::function<void()> on_stored = nullptr) {
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
  bool acknowledged = !st.backend_up && on_stored;
  if (acknowledged) std::exchange(on_stored, nullptr)();
  st.queue.push_back({std::move(ops), std::move(on_stored), acknowledged});
  publish_gauges(st);
  pump(self);
}

template <class T>
caf::typed_response_promise<T> enqueue_and_answer(self_ptr self,
                                                  std::vector<storage::write_op> ops,
                                                  T answer) {
  auto rp = self->make_response_promise<T>();
  enqueue(self, std::move(ops), [rp, answer]() mutable { rp.deliver(answer); });
  return rp;
}

}  // namespace

storage_state::~storage_state() {
  auto unstored = std::count_if(queue.begin(), queue.end(),
                                [](const pending_write& w) { return w.acknowledged; });
  if (unstored > 0 && opts.durable)
    log_for("storage")->error(
        "storage: {} acknowledged writes were still queued for the {} backend at "
        "shutdown and are lost",
        unstored, opts.backend_name);
}

storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    const storage_writer_actor& writer, storage_options opts) {
  auto log = log_for("storage");
  self->state.writer = writer;
  self->state.opts = std::move(opts);
  self->state.model.publish_to(self->state.opts.published_statuses);
  self->link_to(writer);
  load(self);
  auto unloaded = [=](const reply_once& reply) {
    if (self->state.loaded) return false;
    reply(query_result::failure(errc::unavailable, not_loaded));
    return true;
  };
  using namespace storage;
  return {
      [=](load_atom) {
        if (!self->state.loaded) load(self);
      },
      [=](ping_atom) { probe(self); },
      [=](status_atom, const std::string& login, const reply_once& reply) {
        if (unloaded(reply)) return;
        if (auto body = self->state.model.status_body(login))
          reply(query_result::success(std::move(body)));
        else
          reply(query_result::failure(errc::not_found, "No status stored for " + login));
      },
      [=](live_atom, const reply_once& reply) {
        if (unloaded(reply)) return;
        reply(query_result::success(self->state.model.live_body()));
      },
      [=](events_atom, uint32_t limit, const reply_once& reply) {
        if (unloaded(reply)) return;
        reply(query_result::success(self->state.model.events_body(limit)));
      },
      [=](streamers_atom, const reply_once& reply) {
        if (unloaded(reply)) return;
        reply(query_result::success(self->state.model.streamers_body()));
      },
      [=](caf::get_atom, streamer_atom, const std::string& login,
          const reply_once& reply) {
        if (unloaded(reply)) return;
        if (const auto* s = self->state.model.streamer(login))
          reply(query_result::success(make_body(to_json(*s))));
        else
          reply(query_result::failure(errc::not_found,
                                      "Streamer '" + login + "' is not monitored"));
      },
      [=](health_atom, const reply_once& reply) {
        static const auto healthy =
            make_body(R"({"status":"healthy","storage":"connected"})");
        static const auto unhealthy =
            make_body(R"({"status":"unhealthy","storage":"disconnected"})");
        if (self->state.loaded && self->state.backend_up)
          reply(query_result::success(healthy));
        else
          reply({errc::unavailable, {}, unhealthy, body_kind::json});
      },
      [=](record_atom, transition& t) -> caf::result<caf::ok_atom> {
        if (auto err = cannot_write(self)) return std::move(*err);
        auto& model = self->state.model;
        // The backend's copy of the change; a backend that does not outlive the process
        // needs none (copying the status and the event cost ~3% of a webhook's CPU).
        const bool durable = self->state.opts.durable;
        std::vector<write_op> ops;
        // A broadcaster that renamed itself: its status moves to the new login.
        if (auto prev = model.status_by_user_id(t.status.user_id);
            prev && prev->username != t.status.username) {
          auto old_login = prev->username;
          log->info("storage: {} is now called {}", old_login, t.status.username);
          if (durable) ops.push_back(remove_status_op{old_login});
          model.remove_status(old_login);
        }
        if (durable) {
          ops.push_back(put_status_op{t.status});
          ops.push_back(append_event_op{t.event, events_kept});
          ops.push_back(put_stream_memory_op{t.status.user_id, t.memory});
          if (!t.seen_id.empty())
            ops.push_back(mark_seen_op{t.seen_id, std::chrono::seconds(t.seen_ttl_s)});
        }
        model.put_memory(t.status.user_id, std::move(t.memory));
        model.put_status(std::move(t.status));
        model.add_event(t.event, events_kept);
        return enqueue_and_answer(self, std::move(ops), caf::ok_atom::value);
      },
      [=](caf::put_atom, status_update& u) -> caf::result<caf::ok_atom> {
        if (auto err = cannot_write(self)) return std::move(*err);
        auto& model = self->state.model;
        std::vector<write_op> ops{put_status_op{u.status}};
        if (u.with_memory) {
          ops.push_back(put_stream_memory_op{u.status.user_id, u.memory});
          model.put_memory(u.status.user_id, std::move(u.memory));
        }
        model.put_status(std::move(u.status));
        return enqueue_and_answer(self, std::move(ops), caf::ok_atom::value);
      },
      [=](caf::put_atom, const streamer_record& s) -> caf::result<caf::ok_atom> {
        if (auto err = cannot_write(self)) return std::move(*err);
        self->state.model.put_streamer(s);
        return enqueue_and_answer(self, {put_streamer_op{s}}, caf::ok_atom::value);
      },
      [=](caf::delete_atom, const std::string& login) -> caf::result<bool> {
        if (auto err = cannot_write(self)) return std::move(*err);
        auto& model = self->state.model;
        const auto* record = model.streamer(login);
        if (!record) return false;
        std::vector<write_op> ops{remove_streamer_op{login}};
        if (!record->user_id.empty()) {
          ops.push_back(remove_stream_memory_op{record->user_id});
          model.remove_memory(record->user_id);
        }
        model.remove_streamer(login);
        return enqueue_and_answer(self, std::move(ops), true);
      },
      [=](seen_atom, const std::string& id, uint32_t ttl_seconds) {
        // Best effort: the webhook actor's own memory still dedupes until a restart.
        if (cannot_write(self)) return;
        enqueue(self, {mark_seen_op{id, std::chrono::seconds(ttl_seconds)}});
      },
      [=](ready_atom) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        if (st.loaded) return caf::ok_atom::value;
        auto rp = self->make_response_promise<caf::ok_atom>();
        st.ready_waiting.push_back(rp);
        return rp;
      },
      [=](caf::get_atom, seen_atom) -> caf::result<std::vector<std::string>> {
        auto& st = self->state;
        if (!st.loaded) {
          auto rp = self->make_response_promise<std::vector<std::string>>();
          st.seen_waiting.push_back(rp);
          return rp;
        }
        return std::exchange(st.seen, {});  // handed over once
      },
      [=](caf::get_atom, streamers_atom) -> caf::result<std::vector<streamer_record>> {
        if (!self->state.loaded)
          return caf::make_error(caf::sec::runtime_error, not_loaded);
        return self->state.model.streamers();
      },
      [=](caf::get_atom, targets_atom) -> caf::result<std::vector<streamer_record>> {
        if (!self->state.loaded)
          return caf::make_error(caf::sec::runtime_error, not_loaded);
        return self->state.model.poll_targets();
      },
      [=](caf::get_atom, status_atom,
          const std::string& login) -> caf::result<stream_status> {
        if (!self->state.loaded) return make_caf_error(errc::unavailable, not_loaded);
        if (const auto* s = self->state.model.status(login)) return *s;
        return make_caf_error(errc::not_found, "No status stored for " + login);
      },
      [=](caf::get_atom, by_id_atom,
          const std::string& user_id) -> caf::result<stored_broadcaster> {
        if (!self->state.loaded)
          return caf::make_error(caf::sec::runtime_error, not_loaded);
        stored_broadcaster out;
        if (const auto* s = self->state.model.status_by_user_id(user_id)) {
          out.has_status = true;
          out.status = *s;
        }
        if (const auto* m = self->state.model.memory_by_user_id(user_id)) {
          out.has_memory = true;
          out.memory = *m;
        }
        return out;
      },
      [=](revoked_atom, const revocation_notice& n) {
        if (!self->state.loaded) return;  // the reconciliation after loading catches up
        if (n.subscription_id.empty()) return;
        for (auto s : self->state.model.streamers()) {
          bool match_online = s.online_subscription_id == n.subscription_id;
          bool match_offline = s.offline_subscription_id == n.subscription_id;
          if (!match_online && !match_offline) continue;
          if (cannot_write(self)) {
            log->error(
                "storage: cannot mark {} inactive now; the next reconciliation will",
                s.username);
            continue;
          }
          if (match_online) s.online_subscription_id.clear();
          if (match_offline) s.offline_subscription_id.clear();
          s.is_active = false;
          self->state.model.put_streamer(s);
          enqueue(self, {put_streamer_op{s}});
          log->warn("storage: subscription {} ({}) of {} revoked: {}", n.subscription_id,
                    n.subscription_type, s.username, n.reason);
        }
      },
  };
}

storage_actor spawn_storage(caf::actor_system& sys,
                            std::shared_ptr<storage::backend> backend,
                            storage_options opts) {
  opts.backend_name = std::string(backend->name());
  opts.durable = backend->durable();
  // A backend that blocks (Redis) gets the writer a thread of its own.
  auto writer = backend->blocking() ? sys.spawn<caf::detached>(storage_writer_fn, backend)
                                    : sys.spawn(storage_writer_fn, backend);
  return sys.spawn(storage_fn, writer, std::move(opts));
}

}  // namespace eventsubd
