#include "actors/streamer_actor.hpp"

#include "actors/webhook_replies.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>
#include <simdjson.h>

#include <chrono>

namespace eventsubd {
namespace {

constexpr auto storage_timeout = std::chrono::seconds(10);

/// `key` of a JSON object given as text, when it is a string.
std::string string_field(const std::string& json, const char* key) {
  if (json.empty()) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view value;
  if (parser.parse(json).get(doc) || doc[key].get(value)) return {};
  return std::string(value);
}

void restore(stream_state_machine& machine, const stream_status& s) {
  auto since = parse_rfc3339(s.last_updated).value_or(sys_time{});
  if (s.is_live) {
    if (auto started = parse_rfc3339(string_field(s.stream_data, "started_at")))
      since = *started;
  }
  machine.restore(s.is_live, string_field(s.stream_data, "id"), since);
}

transition make_transition(const stream_report& r, sys_time at) {
  transition t;
  auto stamp = format_rfc3339(at);
  t.status.user_id = r.user_id;
  t.status.username = r.login;
  t.status.display_name = r.display_name;
  t.status.is_live = r.online;
  t.status.stream_data = r.online ? r.event_raw : std::string{};
  t.status.last_updated = stamp;
  t.status.last_event_type = r.event_type;
  t.event.id = r.message_id;
  t.event.event_type = r.event_type;
  t.event.broadcaster_id = r.user_id;
  t.event.broadcaster_login = r.login;
  t.event.broadcaster_name = r.display_name;
  t.event.timestamp = std::move(stamp);
  t.event.score = unix_seconds(at);
  t.event.data = r.event_raw;
  return t;
}

}  // namespace

streamer_actor::behavior_type streamer_fn(
    streamer_actor::stateful_pointer<streamer_state> self, std::string user_id,
    storage_actor storage, event_bus_actor bus) {
  auto log = log_for("actors");
  self->state.user_id = user_id;
  // Reports that arrive before the stored state are held back by `await`.
  self->request(storage, storage_timeout, caf::get_atom::value, by_id_atom::value,
                user_id)
      .await(
          [=](const std::vector<stream_status>& found) {
            if (!found.empty()) restore(self->state.machine, found.front());
          },
          [=](const caf::error& err) {
            log->warn("streamer {}: could not restore state: {}", self->state.user_id,
                      self->system().render(err));
          });
  return {
      [=](observe_atom, const stream_report& report, const reply_once& reply) {
        stream_observation obs{report.online, report.stream_id, report.event_time};
        switch (self->state.machine.consider(obs)) {
          case stream_verdict::duplicate:
            log->debug("streamer {}: duplicate {} ({})", report.login, report.event_type,
                       report.message_id);
            reply(query_result::success(webhook_replies::duplicate()));
            return;
          case stream_verdict::stale:
            log->info("streamer {}: ignored outdated {} ({})", report.login,
                      report.event_type, report.message_id);
            reply(query_result::success(webhook_replies::outdated()));
            return;
          case stream_verdict::apply:
            break;
        }
        auto t = make_transition(report, now());
        // `await`: the next report for this broadcaster is decided on the committed
        // state.
        self->request(storage, storage_timeout, record_atom::value, t)
            .await(
                [=](caf::ok_atom) {
                  self->state.machine.commit(obs);
                  log->debug("streamer {}: {}", report.login,
                             report.online ? "live" : "offline");
                  stream_change change{
                      report.online ? change_kind::online : change_kind::offline,
                      report.user_id,
                      report.login,
                      report.display_name,
                      t.status.stream_data,
                      t.status.last_updated,
                      report.source};
                  self->send(bus, publish_atom::value, std::move(change));
                  reply(query_result::success(webhook_replies::success()));
                },
                [=](const caf::error& err) {
                  log->error("streamer {}: storing {} failed: {}", report.login,
                             report.event_type, self->system().render(err));
                  reply(query_result::failure(
                      errc::unavailable,
                      "Storage is unavailable; the event was not recorded"));
                });
      },
  };
}

}  // namespace eventsubd
