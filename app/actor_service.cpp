#include "app/actor_service.hpp"

#include "core/metrics.hpp"
#include "storage/bodies.hpp"

#include <caf/all.hpp>

namespace eventsubd {

void actor_service::health(reply_once reply) {
  if (!started_ || started_->load())
    return caf::anon_send(storage_, health_atom::value, std::move(reply));
  // Starting: 503 until the first round is done, with the storage's state all the same.
  reply_once starting{[reply](query_result r) {
    reply({errc::unavailable,
           {},
           storage::starting_health_body(r.ok()),
           body_kind::json,
           {}});
  }};
  caf::anon_send(storage_, health_atom::value, std::move(starting));
}

void actor_service::list_streamers(reply_once reply) {
  caf::anon_send(storage_, streamers_atom::value, std::move(reply));
}

void actor_service::add_streamer(std::string login, reply_once reply) {
  if (!manager_) return reply(query_result::failure(errc::unavailable, twitch_problem_));
  caf::anon_send(manager_, caf::add_atom::value, std::move(login), std::move(reply));
}

void actor_service::remove_streamer(std::string login, reply_once reply) {
  if (!manager_) {
    // Without Twitch nothing can be removed, but a streamer that is not monitored is
    // still the contract's 404, not a 503 that would suggest retrying.
    reply_once on_found{[reply, problem = twitch_problem_](query_result r) {
      if (!r.ok()) return reply(std::move(r));  // 404, or 503 while not loaded
      reply(query_result::failure(errc::unavailable, problem));
    }};
    caf::anon_send(storage_, caf::get_atom::value, streamer_atom::value, std::move(login),
                   std::move(on_found));
    return;
  }
  caf::anon_send(manager_, caf::delete_atom::value, std::move(login), std::move(reply));
}

void actor_service::streamer_status(std::string login, reply_once reply) {
  if (statuses_)
    if (auto body = statuses_->find(login))
      return reply(query_result::success(std::move(body)));
  // No stored status: ask Twitch (cached briefly, never stored); without Twitch, 503 with
  // the reason rather than a 404 that would claim the user does not exist.
  reply_once on_status{
      [reply, login, lookup = lookup_, problem = twitch_problem_](query_result r) {
        if (r.code != errc::not_found) return reply(std::move(r));
        if (!lookup) return reply(query_result::failure(errc::unavailable, problem));
        caf::anon_send(lookup, status_atom::value, login, reply);
      }};
  caf::anon_send(storage_, status_atom::value, login, std::move(on_status));
}

void actor_service::live_streams(reply_once reply) {
  caf::anon_send(storage_, live_atom::value, std::move(reply));
}

void actor_service::recent_events(uint32_t limit, reply_once reply) {
  caf::anon_send(storage_, events_atom::value, limit, std::move(reply));
}

void actor_service::webhook(webhook_request delivery, reply_once reply) {
  auto verdict = gate_.check(std::move(delivery));
  if (verdict.answered) {
    metrics::webhook_message(verdict.kind, verdict.outcome);
    return reply(std::move(verdict.answer));
  }
  caf::anon_send(webhook_, webhook_atom::value, std::move(verdict.event),
                 std::move(reply));
}

}  // namespace eventsubd
