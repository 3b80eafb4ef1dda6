#include "actors/twitch_scheduler.hpp"

#include "actors/errors.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"

#include <caf/all.hpp>

#include <optional>
#include <utility>

namespace eventsubd {
namespace {

using self_ptr = twitch_actor::stateful_pointer<twitch_scheduler_state>;
using clock = std::chrono::steady_clock;

size_t index_of(twitch::work_class c) {
  return static_cast<size_t>(c);
}

void publish_depths(const twitch_scheduler_state& st) {
  for (size_t i = 0; i < st.queues.size(); ++i)
    metrics::twitch_queue_depth(i, static_cast<int64_t>(st.queues[i].size()));
}

/// Why a queued request must not reach Twitch any more, if so.
std::optional<caf::error> dropped(const twitch_ticket& t) {
  if (t.abandoned && t.abandoned()) {
    metrics::twitch_work_dropped(metrics::drop_reason::abandoned);
    return make_caf_error(errc::unavailable,
                          "The requester went away before Twitch was asked");
  }
  if (clock::now() >= t.deadline) {
    metrics::twitch_work_dropped(metrics::drop_reason::deadline);
    return make_caf_error(errc::upstream_timeout,
                          "Twitch was busy: the request waited past its deadline and "
                          "was dropped before Twitch was asked",
                          std::chrono::seconds(5));
  }
  return std::nullopt;
}

void dispatch(self_ptr self);

void run_on(self_ptr self, size_t slot, twitch_job job) {
  auto& worker = self->state.workers[slot];
  worker.busy = true;
  worker.refuse_running = job.refuse;
  job.run(worker.worker, [self, slot] {
    auto& done = self->state.workers[slot];
    done.busy = false;
    done.refuse_running = nullptr;
    dispatch(self);
  });
}

/// Gives every idle worker the oldest live request of its class.
void dispatch(self_ptr self) {
  auto& st = self->state;
  for (size_t slot = 0; slot < st.workers.size(); ++slot) {
    if (st.workers[slot].busy) continue;
    auto& queue = st.queues[index_of(st.workers[slot].cls)];
    while (!queue.empty()) {
      auto job = std::move(queue.front());
      queue.pop_front();
      if (auto why = dropped(job.ticket)) {
        job.refuse(std::move(*why));
        continue;
      }
      run_on(self, slot, std::move(job));
      break;
    }
  }
  publish_depths(st);
}

bool has_worker_for(const twitch_scheduler_state& st, twitch::work_class c) {
  for (const auto& w : st.workers)
    if (w.cls == c) return true;
  return false;
}

/// Queues one request for a worker of the ticket's class; answers when the worker does.
template <class T, class... Ts>
caf::result<T> schedule(self_ptr self, const twitch_ticket& ticket, Ts... xs) {
  auto& st = self->state;
  if (!has_worker_for(st, ticket.cls))
    return make_caf_error(errc::unavailable,
                          "No Twitch worker serves " +
                              std::string(twitch::to_string(ticket.cls)) + " work");
  auto& queue = st.queues[index_of(ticket.cls)];
  if (queue.size() >= st.cfg.queue_limits[index_of(ticket.cls)]) {
    metrics::twitch_work_dropped(metrics::drop_reason::queue_full);
    return make_caf_error(errc::unavailable,
                          "Too much Twitch work is waiting (" +
                              std::string(twitch::to_string(ticket.cls)) +
                              "); retry later",
                          st.cfg.full_retry_after);
  }
  auto rp = self->template make_response_promise<T>();
  twitch_job job;
  job.ticket = ticket;
  job.run = [self, rp, xs...](const helix_worker_actor& worker,
                              std::function<void()> done) mutable {
    self->request(worker, caf::infinite, xs...)
        .then(
            [rp, done](T value) mutable {
              rp.deliver(std::move(value));
              done();
            },
            [rp, done](caf::error& err) mutable {
              rp.deliver(std::move(err));
              done();
            });
  };
  job.refuse = [rp](caf::error err) mutable { rp.deliver(std::move(err)); };
  queue.push_back(std::move(job));
  dispatch(self);
  return rp;
}

/// Shutdown: every request is answered now. Waiting ones never reach Twitch; a worker's
/// answer to a running one would come to an actor that is gone.
void refuse_all(self_ptr self) {
  for (auto& w : self->state.workers)
    if (auto refuse = std::exchange(w.refuse_running, nullptr))
      refuse(make_caf_error(errc::unavailable, "Shutting down before Twitch answered"));
  for (auto& queue : self->state.queues) {
    for (auto& job : queue)
      job.refuse(make_caf_error(errc::unavailable, "Shutting down"));
    queue.clear();
  }
}

}  // namespace

twitch_actor::behavior_type twitch_scheduler_fn(
    self_ptr self, twitch_scheduler_config cfg,
    std::vector<std::pair<twitch::work_class, helix_worker_actor>> workers) {
  auto& st = self->state;
  st.cfg = cfg;
  for (auto& [cls, worker] : workers)
    st.workers.push_back({cls, std::move(worker), false, {}});
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    refuse_all(self);
    self->quit(msg.reason);
  });
  self->delayed_send(self, std::chrono::seconds(1), validate_atom::value);
  using std::string;
  using std::vector;
  return {
      [=](caf::get_atom, users_atom, const twitch_ticket& t,
          const vector<string>& logins) {
        return schedule<vector<twitch::twitch_user>>(self, t, caf::get_atom::value,
                                                     users_atom::value, logins);
      },
      [=](caf::get_atom, streams_atom, const twitch_ticket& t,
          const vector<string>& ids) {
        return schedule<vector<twitch::twitch_stream>>(self, t, caf::get_atom::value,
                                                       streams_atom::value, ids);
      },
      [=](subscribe_atom, const twitch_ticket& t, const streamer_record& s) {
        return schedule<streamer_record>(self, t, subscribe_atom::value, s);
      },
      [=](unsub_atom, const twitch_ticket& t, const streamer_record& s) {
        return schedule<caf::ok_atom>(self, t, unsub_atom::value, s);
      },
      [=](unsub_atom, const twitch_ticket& t, const vector<string>& ids) {
        return schedule<caf::ok_atom>(self, t, unsub_atom::value, ids);
      },
      [=](reconcile_atom, const twitch_ticket& t, const vector<streamer_record>& all) {
        return schedule<reconcile_result>(self, t, reconcile_atom::value, all);
      },
      [=](validate_atom) {
        // The worker logs a failure; the timer goes on either way.
        twitch_job job;
        job.run = [self](const helix_worker_actor& worker, std::function<void()> done) {
          self->request(worker, caf::infinite, validate_atom::value)
              .then([done](caf::ok_atom) { done(); },
                    [done](const caf::error&) { done(); });
        };
        job.refuse = [](const caf::error&) {};
        self->state.queues[index_of(twitch::work_class::bulk)].push_back(std::move(job));
        dispatch(self);
        self->delayed_send(self, self->state.cfg.validate_every, validate_atom::value);
      },
  };
}

}  // namespace eventsubd
