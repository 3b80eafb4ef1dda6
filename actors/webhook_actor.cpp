#include "actors/webhook_actor.hpp"

#include "actors/webhook_replies.hpp"
#include "core/logging.hpp"
#include "core/login.hpp"
#include "core/metrics.hpp"

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

metrics::message_kind metrics_kind(std::string_view type_header) {
  switch (twitch::parse_message_type(type_header)) {
    case twitch::message_type::notification:
      return metrics::message_kind::notification;
    case twitch::message_type::verification:
      return metrics::message_kind::verification;
    case twitch::message_type::revocation:
      return metrics::message_kind::revocation;
    case twitch::message_type::unknown:
      break;
  }
  return metrics::message_kind::other;
}

/// Takes the parsed message apart (moving, not copying: this runs for every delivery).
stream_report make_report(twitch::eventsub_message&& msg, std::string message_id,
                          sys_time sent, std::string login) {
  stream_report r;
  auto& ev = msg.event;
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

}  // namespace

webhook_actor::behavior_type webhook_fn(
    webhook_actor::stateful_pointer<webhook_state> self, webhook_config cfg,
    const streamer_supervisor_actor& supervisor, const storage_actor& storage,
    const subscription_manager_actor& manager) {
  auto log = log_for("actors");
  auto& st = self->state;
  st.cfg = std::move(cfg);
  if (!st.cfg.secret.empty())
    st.verifier = std::make_unique<twitch::signature_verifier>(st.cfg.secret);
  self->delayed_send(self, sweep_period, sweep_atom::value);
  self->send(self, load_atom::value);
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
      [=](webhook_atom, webhook_request& req, reply_once& reply) {
        auto& st = self->state;
        const auto kind = metrics_kind(req.message_type);
        auto finish = [&](metrics::outcome o, query_result r) {
          metrics::webhook_message(kind, o);
          reply(std::move(r));
        };
        if (!st.verifier)
          return finish(metrics::outcome::unavailable,
                        query_result::failure(errc::unavailable, st.cfg.disabled_detail));
        if (!req.has_id || !req.has_timestamp || !req.has_signature)
          return finish(
              metrics::outcome::bad_signature,
              query_result::failure(
                  errc::forbidden,
                  "Missing Twitch-Eventsub-Message-Id, -Timestamp or -Signature header"));
        if (!st.verifier->verify(req.message_id, req.timestamp, req.body,
                                 req.signature)) {
          log->warn("webhook: rejected message {} with an invalid signature",
                    req.message_id.substr(0, 64));
          return finish(metrics::outcome::bad_signature,
                        query_result::failure(errc::forbidden, "Invalid signature"));
        }
        auto sent = parse_rfc3339(req.timestamp);
        if (!sent)
          return finish(
              metrics::outcome::bad_signature,
              query_result::failure(errc::forbidden,
                                    "Invalid Twitch-Eventsub-Message-Timestamp"));
        if (!req.has_type)
          return finish(
              metrics::outcome::malformed,
              query_result::failure(errc::bad_request,
                                    "Missing Twitch-Eventsub-Message-Type header"));
        auto type = twitch::parse_message_type(req.message_type);
        auto received = now();
        const auto seen_key = st.seen.key_of(req.message_id);
        bool is_event = type == twitch::message_type::notification ||
                        type == twitch::message_type::revocation;
        if (is_event) {
          // Challenges are exempt: answering one again does nothing.
          if (*sent + st.cfg.window < received)
            return finish(
                metrics::outcome::stale,
                query_result::failure(
                    errc::forbidden,
                    "Message timestamp is older than 10 minutes; replay refused"));
          if (*sent - st.cfg.window > received)
            return finish(
                metrics::outcome::stale,
                query_result::failure(errc::forbidden,
                                      "Message timestamp is too far in the future"));
          if (!st.seen_loaded)
            return finish(
                metrics::outcome::unavailable,
                query_result::failure(
                    errc::unavailable,
                    "Storage is not available yet; the message was not processed"));
          if (st.seen.contains(seen_key)) {
            log->debug("webhook: duplicate message {}", req.message_id);
            return finish(metrics::outcome::duplicate,
                          query_result::success(webhook_replies::duplicate()));
          }
        }
        auto parsed = st.parser.parse(type, req.body);
        if (auto* why = std::get_if<std::string>(&parsed))
          return finish(metrics::outcome::malformed,
                        query_result::failure(errc::bad_request, *why));
        auto& msg = std::get<twitch::eventsub_message>(parsed);

        switch (type) {
          case twitch::message_type::verification:
            log->info(
                "webhook: answered the verification challenge of subscription {} ({})",
                msg.subscription.id, msg.subscription.type);
            return finish(metrics::outcome::accepted,
                          query_result::success(make_body(std::move(msg.challenge)),
                                                body_kind::text));
          case twitch::message_type::unknown:
            return finish(metrics::outcome::ignored,
                          query_result::success(webhook_replies::ignored()));
          case twitch::message_type::revocation: {
            st.seen.remember(seen_key, received);
            persist_seen(storage, st.cfg.dedupe_horizon, req.message_id);
            log->warn("webhook: subscription {} ({}) revoked: {}", msg.subscription.id,
                      msg.subscription.type, msg.subscription.status);
            revocation_notice notice{msg.subscription.id, msg.subscription.type,
                                     msg.subscription.broadcaster_user_id,
                                     msg.subscription.status};
            self->send(storage, revoked_atom::value, notice);
            if (manager) self->send(manager, revoked_atom::value, notice);
            return finish(metrics::outcome::accepted,
                          query_result::success(webhook_replies::success()));
          }
          case twitch::message_type::notification:
            break;
        }
        const auto& sub_type = msg.subscription.type;
        if (sub_type != "stream.online" && sub_type != "stream.offline") {
          st.seen.remember(seen_key, received);
          persist_seen(storage, st.cfg.dedupe_horizon, req.message_id);
          return finish(metrics::outcome::ignored,
                        query_result::success(webhook_replies::ignored()));
        }
        auto login = normalize_login(msg.event.broadcaster_user_login);
        if (!login)
          return finish(
              metrics::outcome::malformed,
              query_result::failure(errc::bad_request,
                                    "Invalid broadcaster_user_login in the event"));
        st.seen.remember(seen_key, received);
        // If the change cannot be stored, forget the id so Twitch's retry is applied.
        // The storage remembers the id too, written with the change (after it, so a crash
        // in between means a redelivery is applied, never a change lost).
        auto me = caf::actor_cast<webhook_actor>(self);
        reply_once on_done{[reply, me, id = req.message_id](query_result r) {
          metrics::webhook_message(metrics::message_kind::notification,
                                   r.ok() ? webhook_replies::outcome_of(r.body)
                                          : metrics::outcome::unavailable);
          if (!r.ok()) caf::anon_send(me, forget_atom::value, id);
          reply(std::move(r));
        }};
        auto report = make_report(std::move(msg), std::move(req.message_id), *sent,
                                  std::move(*login));
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
      [=](forget_atom, const std::string& id) { self->state.seen.forget(id); },
      [=](sweep_atom) {
        auto& st = self->state;
        st.seen.expire_before(now() - st.cfg.dedupe_horizon);
        self->delayed_send(self, sweep_period, sweep_atom::value);
      },
  };
}

}  // namespace eventsubd
