#include "actors/storage_actor.hpp"

#include "actors/errors.hpp"
#include "actors/journal_writer.hpp"
#include "actors/storage_queue.hpp"
#include "actors/storage_writer.hpp"
#include "core/logging.hpp"
#include "storage/bodies.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace eventsubd {
namespace {

using storage_queue::self_ptr;

template <class T>
caf::typed_response_promise<T> enqueue_and_answer(self_ptr self,
                                                  std::vector<storage::write_op> ops,
                                                  T answer) {
  auto rp = self->make_response_promise<T>();
  storage_queue::enqueue(self, std::move(ops),
                         [rp, answer]() mutable { rp.deliver(answer); });
  return rp;
}

}  // namespace

storage_state::~storage_state() {
  if (!opts.durable) return;
  auto unstored = std::count_if(queue.begin(), queue.end(),
                                [](const pending_write& w) { return w.acknowledged; });
  if (unstored > 0 && journal)
    log_for("storage")->info(
        "storage: {} acknowledged writes wait in the journal {} for the {} backend; the "
        "next start replays them",
        unstored, opts.journal ? opts.journal->path() : std::string("(journal)"),
        opts.backend_name);
  else if (unstored > 0)
    log_for("storage")->error(
        "storage: {} acknowledged writes were still queued for the {} backend at "
        "shutdown and are lost",
        unstored, opts.backend_name);
  auto unanswered = std::count_if(queue.begin(), queue.end(), [](const pending_write& w) {
    return bool(w.on_stored);
  });
  if (unanswered > 0)
    log_for("storage")->warn(
        "storage: {} writes the {} backend had not confirmed were dropped at shutdown "
        "(never acknowledged: their senders get no success)",
        unanswered, opts.backend_name);
}

storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    const storage_writer_actor& writer, const journal_writer_actor& journal,
    storage_options opts) {
  using namespace storage_queue;
  auto log = log_for("storage");
  self->state.writer = writer;
  self->state.opts = std::move(opts);
  self->state.model.publish_to(self->state.opts.published_statuses);
  self->link_to(writer);
  self->state.journal = journal;
  if (journal) self->link_to(journal);
  start(self);
  auto unloaded = [=](const reply_once& reply) {
    if (self->state.loaded) return false;
    reply(query_result::failure(errc::unavailable, not_loaded));
    return true;
  };
  using namespace storage;
  return {
      // --- HTTP: answered through the reply_once, with a body from the read model ---
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
        if (auto body = self->state.model.streamer_body(login))
          reply(query_result::success(std::move(body)));
        else
          reply(query_result::failure(errc::not_found,
                                      "Streamer '" + login + "' is not monitored"));
      },
      [=](health_atom, const reply_once& reply) {
        if (storage_queue::healthy(self->state))
          reply(query_result::success(health_body(true)));
        else
          reply({errc::unavailable, {}, health_body(false), body_kind::json});
      },
      // --- Typed requests of other actors: answered with a CAF response or error ---
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
        if (!self->state.loaded) return make_caf_error(errc::unavailable, not_loaded);
        return self->state.model.streamers();
      },
      [=](caf::get_atom, targets_atom) -> caf::result<std::vector<streamer_record>> {
        if (!self->state.loaded) return make_caf_error(errc::unavailable, not_loaded);
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
        if (!self->state.loaded) return make_caf_error(errc::unavailable, not_loaded);
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
      // --- Fire-and-forget: never answered ---
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
      [=](seen_atom, const std::string& id, uint32_t ttl_seconds) {
        // Best effort: the webhook actor's own memory still dedupes until a restart.
        if (cannot_write(self)) return;
        enqueue(self, {mark_seen_op{id, std::chrono::seconds(ttl_seconds)}});
      },
      [=](load_atom) { start(self); },  // timer: retried until loaded
      [=](ping_atom) { probe(self); },  // timer: probe the backend
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
  // The journal's file I/O blocks (fdatasync): a thread of its own too.
  journal_writer_actor journal;
  if (opts.journal) journal = sys.spawn<caf::detached>(journal_writer_fn, opts.journal);
  return sys.spawn(storage_fn, writer, journal, std::move(opts));
}

}  // namespace eventsubd
