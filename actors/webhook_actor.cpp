#include "actors/webhook_actor.hpp"

#include "core/logging.hpp"
#include "core/login.hpp"
#include "core/metrics.hpp"
#include "twitch/webhook_replies.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

constexpr auto sweep_period = std::chrono::seconds(60);
constexpr auto seen_load_retry = std::chrono::seconds(1);

/// How long the storage keeps a seen id: the dedupe horizon, and at least 10 minutes
/// (Twitch's replay window), so a restart does not re-apply a redelivery.
uint32_t seen_ttl_seconds(std::chrono::seconds horizon) {
  auto ttl = std::max<std::chrono::seconds>(horizon, std::chrono::minutes(10));
  return static_cast<uint32_t>(ttl.count());
}

void persist_seen(const storage_actor& storage, std::chrono::seconds horizon,
                  const std::string& id) {
  caf::anon_send(storage, seen_atom::value, id, seen_ttl_seconds(horizon));
}

/// Takes the parsed message apart (moving, not copying: this runs for every delivery).
stream_report make_report(twitch::eventsub_message&& msg, std::string message_id,
                          sys_time sent) {
  stream_report r;
  auto& ev = msg.event;
  auto login = std::move(ev.broadcaster_user_login);  // normalised by the gate
  r.online = msg.subscription.type == "stream.online";
  r.message_id = std::move(message_id);
  r.event_type = std::move(msg.subscription.type);
  r.user_id = std::move(ev.broadcaster_user_id);
  r.login = std::move(login);
  r.display_name =
      ev.broadcaster_user_name.empty() ? r.login : std::move(ev.broadcaster_user_name);
  r.stream_id = std::move(ev.stream_id);
  r.event_raw = std::move(ev.raw);
  r.sent_at = sent;
  if (r.online) r.started_at = parse_rfc3339(ev.started_at).value_or(sys_time{});
  r.source = change_source::webhook;
  return r;
}

/// Answers a delivery and counts it.
void finish(const reply_once& reply, metrics::message_kind kind, metrics::outcome o,
            query_result r) {
  metrics::webhook_message(kind, o);
  reply(std::move(r));
}

/// Ends `id`'s pending state; returns the redeliveries that waited for it.
std::vector<reply_once> take_waiting(webhook_state& st, const std::string& id) {
  auto it = st.pending.find(st.seen.key_of(id));
  if (it == st.pending.end()) return {};
  auto waiting = std::move(it->second);
  st.pending.erase(it);
  return waiting;
}

}  // namespace

webhook_actor::behavior_type webhook_fn(
    webhook_actor::stateful_pointer<webhook_state> self, webhook_config cfg,
    const streamer_supervisor_actor& supervisor, const storage_actor& storage,
    const subscription_manager_actor& manager) {
  auto log = log_for("actors");
  self->state.cfg = std::move(cfg);
  self->delayed_send(self, sweep_period, sweep_atom::value);
  self->send(self, load_atom::value);
  // Remembers a processed message id, here and in the storage (best effort there).
  auto remember = [=](const std::string& id, const twitch::seen_messages::key& key,
                      sys_time at) {
    self->state.seen.remember(key, at);
    persist_seen(storage, self->state.cfg.dedupe_horizon, id);
  };
  return {
      [=](load_atom) {
        // The storage answers once it has loaded; until then events get 503.
        self->request(storage, caf::infinite, caf::get_atom::value, seen_atom::value)
            .then(
                [=](const std::vector<std::string>& ids) {
                  auto& st = self->state;
                  auto at = now();
                  for (const auto& id : ids) st.seen.remember(id, at);
                  st.seen_loaded = true;
                  for (auto& rp : std::exchange(st.ready_waiting, {}))
                    rp.deliver(caf::ok_atom::value);
                  if (!ids.empty())
                    log->info("webhook: {} message ids remembered from before the start",
                              ids.size());
                },
                [=](const caf::error&) {
                  self->delayed_send(self, seen_load_retry, load_atom::value);
                });
      },
      [=](webhook_atom, twitch::verified_event& ev, reply_once& reply) {
        using metrics::outcome;
        auto& st = self->state;
        const auto kind = ev.type == twitch::message_type::revocation
                              ? metrics::message_kind::revocation
                              : metrics::message_kind::notification;
        if (!st.seen_loaded)
          return finish(
              reply, kind, outcome::unavailable,
              query_result::failure(
                  errc::unavailable,
                  "Storage is not available yet; the message was not processed"));
        const auto key = st.seen.key_of(ev.message_id);
        if (auto waiting = st.pending.find(key); waiting != st.pending.end()) {
          // Answered as the first delivery is: "duplicate" once its change is stored,
          // 503 if it cannot be (a 2xx now would acknowledge what may never be stored).
          log->debug("webhook: message {} again while its change is being stored",
                     ev.message_id);
          waiting->second.push_back(reply);
          return;
        }
        if (st.seen.contains(key)) {
          log->debug("webhook: duplicate message {}", ev.message_id);
          return finish(reply, kind, outcome::duplicate,
                        query_result::success(webhook_replies::duplicate()));
        }
        auto received = now();
        auto& msg = ev.message;
        if (ev.type == twitch::message_type::revocation) {
          remember(ev.message_id, key, received);
          log->warn("webhook: subscription {} ({}) revoked: {}", msg.subscription.id,
                    msg.subscription.type, msg.subscription.status);
          revocation_notice notice{msg.subscription.id, msg.subscription.type,
                                   msg.subscription.broadcaster_user_id,
                                   msg.subscription.status};
          self->send(storage, revoked_atom::value, notice);
          if (manager) self->send(manager, revoked_atom::value, notice);
          return finish(reply, kind, outcome::accepted,
                        query_result::success(webhook_replies::success()));
        }
        const auto& sub_type = msg.subscription.type;
        if (sub_type != "stream.online" && sub_type != "stream.offline") {
          remember(ev.message_id, key, received);
          return finish(reply, kind, outcome::ignored,
                        query_result::success(webhook_replies::ignored()));
        }
        st.seen.remember(key, received);
        st.pending.emplace(key, std::vector<reply_once>{});
        // If the change cannot be stored, forget the id so Twitch's retry is applied.
        // The storage remembers the id too, written with the change (after it, so a crash
        // in between means a redelivery is applied, never a change lost). Until the
        // answer, the id is pending: a redelivery then is no duplicate yet.
        auto me = caf::actor_cast<webhook_actor>(self);
        reply_once on_done{[reply, me, id = ev.message_id](query_result r) {
          metrics::webhook_message(metrics::message_kind::notification,
                                   r.ok() ? webhook_replies::outcome_of(r.body)
                                          : metrics::outcome::unavailable);
          if (r.ok())
            caf::anon_send(me, stored_atom::value, id);
          else
            caf::anon_send(me, forget_atom::value, id);
          reply(std::move(r));
        }};
        auto report = make_report(std::move(msg), std::move(ev.message_id), ev.sent);
        report.remember_seconds = seen_ttl_seconds(st.cfg.dedupe_horizon);
        self->send(supervisor, observe_atom::value, std::move(report),
                   std::move(on_done));
      },
      [=](ready_atom) -> caf::result<caf::ok_atom> {
        if (self->state.seen_loaded) return caf::ok_atom::value;
        auto rp = self->make_response_promise<caf::ok_atom>();
        self->state.ready_waiting.push_back(rp);
        return rp;
      },
      [=](forget_atom, const std::string& id) {
        auto& st = self->state;
        for (auto& waiting : take_waiting(st, id))
          finish(waiting, metrics::message_kind::notification,
                 metrics::outcome::unavailable,
                 query_result::failure(
                     errc::unavailable,
                     "Storage is unavailable; the event was not recorded"));
        st.seen.forget(id);
      },
      [=](stored_atom, const std::string& id) {
        for (auto& waiting : take_waiting(self->state, id))
          finish(waiting, metrics::message_kind::notification,
                 metrics::outcome::duplicate,
                 query_result::success(webhook_replies::duplicate()));
      },
      [=](sweep_atom) {
        auto& st = self->state;
        st.seen.expire_before(now() - st.cfg.dedupe_horizon);
        self->delayed_send(self, sweep_period, sweep_atom::value);
      },
  };
}

}  // namespace eventsubd
