#include "actors/streamer_actor.hpp"

#include "core/json_read.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "twitch/webhook_replies.hpp"

#include <caf/all.hpp>

#include <atomic>

namespace eventsubd {
namespace {

using self_ptr = streamer_actor::stateful_pointer<streamer_state>;

// No timeout on writes: the storage actor always answers (at once while the backend is
// down, refusing when its queue is full), and a timeout would cost every write a timer
// on CAF's clock thread plus a stray timeout message later (the webhook benchmark showed
// ~15% of the CPU going there). A dead storage actor answers with an error too.
constexpr auto storage_timeout = caf::infinite;

/// Restores the state machine: from its persisted memory, or (data written before
/// memories were kept) from the stored status alone.
void restore(streamer_state& st, const stored_broadcaster& found) {
  if (found.has_status) st.current = found.status;
  if (found.has_memory) {
    st.machine.restore(found.memory);
  } else if (found.has_status) {
    const auto& s = found.status;
    auto started = parse_rfc3339(string_field_of(s.stream_data, "started_at"));
    st.machine.restore_from_status(s.is_live, string_field_of(s.stream_data, "id"),
                                   started.value_or(sys_time{}));
  }
  if (st.machine.current_phase() == stream_state_machine::phase::live)
    st.live_since = std::chrono::steady_clock::now();
}

std::string polling_id() {
  static std::atomic<uint64_t> counter{0};
  return "poll-" + std::to_string(now().time_since_epoch().count()) + "-" +
         std::to_string(++counter);
}

/// Takes the report apart: every field ends up in the status or the event (moved into
/// one of them, copied only for the other).
transition make_transition(stream_report&& r, sys_time at, stream_memory memory) {
  transition t;
  auto stamp = format_rfc3339(at);
  t.status.user_id = r.user_id;
  t.status.username = r.login;
  t.status.display_name = r.display_name;
  t.status.is_live = r.online;
  if (r.online) t.status.stream_data = r.event_raw;
  t.status.last_updated = stamp;
  t.status.last_event_type = r.event_type;
  t.memory = std::move(memory);
  if (r.remember_seconds > 0) {
    t.seen_id = r.message_id;
    t.seen_ttl_s = r.remember_seconds;
  }
  t.event.id = std::move(r.message_id);
  t.event.event_type = std::move(r.event_type);
  t.event.broadcaster_id = std::move(r.user_id);
  t.event.broadcaster_login = std::move(r.login);
  t.event.broadcaster_name = std::move(r.display_name);
  t.event.timestamp = std::move(stamp);
  t.event.score = unix_seconds(at);
  t.event.data = std::move(r.event_raw);
  if (r.source == change_source::polling) t.event.source = "polling";
  return t;
}

/// A poll's finding as a report, for corrections.
stream_report report_from_poll(const poll_report& p) {
  stream_report r;
  r.online = p.live;
  r.message_id = polling_id();
  r.event_type = p.live ? "stream.online" : "stream.offline";
  r.user_id = p.user_id;
  r.login = p.login;
  r.display_name = p.display_name;
  r.stream_id = p.stream_id;
  r.event_raw = p.live ? p.stream_raw
                       : R"({"broadcaster_user_id":")" + p.user_id +
                             R"(","broadcaster_user_login":")" + p.login + R"("})";
  if (p.live) r.started_at = parse_rfc3339(p.started_at).value_or(sys_time{});
  r.sent_at = now();
  r.source = change_source::polling;
  return r;
}

/// The status a poll (or a metadata fetch) shows, keeping what it does not know.
stream_status with_stream_data(const streamer_state& st, const poll_report& p) {
  auto s = st.current;
  s.user_id = p.user_id;
  s.username = p.login;
  s.display_name = p.display_name;
  s.is_live = p.live;
  s.stream_data = p.live ? p.stream_raw : std::string{};
  s.last_updated = format_rfc3339(now());
  return s;
}

void publish(self_ptr self, const event_bus_actor& bus, change_kind kind,
             change_source source) {
  const auto& s = self->state.current;
  self->send(bus, publish_atom::value,
             stream_change{kind, s.user_id, s.username, s.display_name, s.stream_data,
                           s.last_updated, source});
}

/// Asks the watcher for Get Streams news of this broadcaster.
void watch(self_ptr self, const stream_watcher_actor& watcher, watch_purpose purpose,
           const std::string& stream_id, std::chrono::steady_clock::duration after,
           std::chrono::steady_clock::duration give_up_after) {
  if (!watcher) return;
  auto at = std::chrono::steady_clock::now();
  stream_watch w{caf::actor_cast<streamer_actor>(self),
                 self->state.user_id,
                 stream_id,
                 purpose,
                 at + after,
                 at + give_up_after};
  self->send(watcher, watch_atom::value, std::move(w));
}

/// A poll lists a stream that just ended: ask again once Helix's lag window is over.
void schedule_recheck(self_ptr self, const stream_watcher_actor& watcher,
                      const std::string& stream_id) {
  if (std::exchange(self->state.recheck_pending, true)) return;
  auto due = self->state.machine.recheck_at(stream_id) - now();
  auto after = std::max<std::chrono::nanoseconds>(due, std::chrono::seconds(1));
  watch(self, watcher, watch_purpose::recheck, stream_id,
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(after),
        std::chrono::hours(24));
}

}  // namespace

streamer_actor::behavior_type streamer_fn(self_ptr self, const std::string& user_id,
                                          const storage_actor& storage,
                                          const event_bus_actor& bus,
                                          const stream_watcher_actor& watcher,
                                          streamer_tuning tuning) {
  auto log = log_for("actors");
  self->state.user_id = user_id;
  self->state.tuning = tuning;
  self->state.machine = stream_state_machine{tuning.lag_window};
  // Reports that arrive before the stored state are held back by `await`.
  self->request(storage, storage_timeout, caf::get_atom::value, by_id_atom::value,
                user_id)
      .await([=](const stored_broadcaster& found) { restore(self->state, found); },
             [=](const caf::error& err) {
               log->warn("streamer {}: could not restore state: {}", self->state.user_id,
                         self->system().render(err));
             });

  // A delivery that changes nothing is still remembered, so a redelivery after a restart
  // is a duplicate too (best effort: it would change nothing either).
  auto remember_alone = [=](const stream_report& report) {
    if (report.remember_seconds > 0)
      self->send(storage, seen_atom::value, report.message_id, report.remember_seconds);
  };

  // Stores a transition, then commits it; `await` keeps one report at a time.
  auto apply = [=](stream_report report, const reply_once& reply) {
    const auto at = now();
    stream_observation obs{report.online, report.stream_id, report.started_at,
                           report.sent_at, report.source};
    switch (self->state.machine.consider(obs, at)) {
      case stream_verdict::duplicate:
        log->debug("streamer {}: duplicate {} ({})", report.login, report.event_type,
                   report.message_id);
        remember_alone(report);
        reply(query_result::success(webhook_replies::duplicate()));
        return;
      case stream_verdict::stale:
        log->info("streamer {}: ignored outdated {} ({})", report.login,
                  report.event_type, report.message_id);
        remember_alone(report);
        reply(query_result::success(webhook_replies::outdated()));
        return;
      case stream_verdict::recheck_later:
        log->debug(
            "streamer {}: Get Streams still lists ended stream {}; asking again "
            "after the lag window",
            report.login, report.stream_id);
        schedule_recheck(self, watcher, report.stream_id);
        reply(query_result::success(webhook_replies::outdated()));
        return;
      case stream_verdict::apply:
        break;
    }
    auto next = self->state.machine;
    next.commit(obs, at);
    // The transition moves into the message and the handlers capture only what they
    // use: copies of the report and the transition were ~30 string allocations per
    // webhook.
    const bool online = report.online;
    const auto source = report.source;
    auto t = make_transition(std::move(report), at, next.memory());
    auto status = std::make_shared<stream_status>(t.status);
    self->request(storage, storage_timeout, record_atom::value, std::move(t))
        .await(
            [=](caf::ok_atom) {
              auto& st = self->state;
              st.machine = next;
              metrics::event_applied(online, source == change_source::webhook);
              st.current = std::move(*status);
              st.misses = 0;
              if (online) st.live_since = std::chrono::steady_clock::now();
              log->debug("streamer {}: {} ({})", st.current.username,
                         online ? "live" : "offline", to_string(source));
              publish(self, bus, online ? change_kind::online : change_kind::offline,
                      source);
              reply(query_result::success(webhook_replies::success()));
              // Helix lags EventSub: the stream's metadata is asked for from 2 s on.
              if (online && source == change_source::webhook)
                watch(self, watcher, watch_purpose::metadata, st.machine.stream_id(),
                      std::chrono::seconds(2), st.tuning.metadata_window);
            },
            [=](const caf::error& err) {
              log->error("streamer {}: storing {} failed: {}", status->username,
                         status->last_event_type, self->system().render(err));
              reply(query_result::failure(
                  errc::unavailable,
                  "Storage is unavailable; the event was not recorded"));
            });
  };

  // Replaces the status without an event (metadata, start-up initialisation), with the
  // machine's memory when `machine_changed`.
  auto put_status = [=](const stream_status& s, bool announce_metadata,
                        bool machine_changed) {
    status_update u{s, machine_changed, {}};
    if (machine_changed) u.memory = self->state.machine.memory();
    self->request(storage, storage_timeout, caf::put_atom::value, std::move(u))
        .await(
            [=](caf::ok_atom) {
              self->state.current = s;
              if (announce_metadata)
                publish(self, bus, change_kind::metadata, change_source::polling);
            },
            [=](const caf::error& err) {
              log->warn("streamer {}: storing the status failed: {}", s.username,
                        self->system().render(err));
            });
  };

  auto on_poll = [=](const poll_report& p) {
    auto& st = self->state;
    using phase = stream_state_machine::phase;
    auto current_phase = st.machine.current_phase();
    if (p.live) {
      st.misses = 0;
      if (current_phase == phase::live && st.machine.stream_id() == p.stream_id) {
        put_status(with_stream_data(st, p), true, false);  // fresh title, viewers
      } else if (current_phase == phase::unknown && p.initial) {
        st.machine.restore_from_status(true, p.stream_id,
                                       parse_rfc3339(p.started_at).value_or(sys_time{}));
        st.live_since = std::chrono::steady_clock::now();
        put_status(with_stream_data(st, p), false, true);
      } else {
        apply(report_from_poll(p), reply_once{});  // a missed online, or a newer stream
      }
      return;
    }
    if (current_phase == phase::live) {
      // Helix lags and blips: only several misses, well after the online, count.
      ++st.misses;
      auto live_for = std::chrono::steady_clock::now() - st.live_since;
      if (st.misses >= st.tuning.offline_after_misses &&
          live_for >= st.tuning.online_grace)
        apply(report_from_poll(p), reply_once{});
    } else if (current_phase == phase::unknown) {
      st.machine.restore_from_status(false, {}, sys_time{});  // offline since unknown
      put_status(with_stream_data(st, p), false, true);
    }
  };

  return {
      [=](observe_atom, stream_report& report, const reply_once& reply) {
        apply(std::move(report), reply);
      },
      [=](poll_atom, const poll_report& p) { on_poll(p); },
      [=](watched_atom, const watch_result& r) {
        auto& st = self->state;
        auto p =
            poll_report::about(st.user_id, st.current.username, st.current.display_name);
        if (r.listed) {
          p.live = true;
          p.stream_id = r.stream.id;
          p.started_at = r.stream.started_at;
          p.stream_raw = r.stream.raw;
        }
        if (r.purpose == watch_purpose::recheck) {
          st.recheck_pending = false;
          return on_poll(p);
        }
        // Metadata of the stream that went online, unless it is over or replaced.
        if (st.machine.current_phase() != stream_state_machine::phase::live ||
            st.machine.stream_id() != r.stream_id || !r.listed)
          return;
        put_status(with_stream_data(st, p), true, false);
      },
  };
}

}  // namespace eventsubd
