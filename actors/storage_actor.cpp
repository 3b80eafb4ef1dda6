#include "actors/storage_actor.hpp"

#include "core/json_codec.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

caf::error storage_error(const storage::failure& f) {
  return caf::make_error(caf::sec::runtime_error, "storage: " + *f);
}

}  // namespace

storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    std::shared_ptr<storage::backend> backend) {
  auto log = log_for("storage");
  self->state.backend = std::move(backend);
  auto try_load = [=] {
    std::vector<streamer_record> streamers;
    std::vector<stream_status> statuses;
    std::vector<event_record> events;
    auto& b = *self->state.backend;
    storage::failure f = b.load_streamers(streamers);
    if (!f) f = b.load_statuses(statuses);
    if (!f) f = b.load_events(storage::events_kept, events);
    if (f) {
      log->error("storage: loading from the {} backend failed, retrying every second: {}",
                 b.name(), *f);
      self->delayed_send(self, std::chrono::seconds(1), load_atom::value);
      return;
    }
    log->info("storage: {} backend loaded: {} streamers, {} statuses, {} events",
              b.name(), streamers.size(), statuses.size(), events.size());
    self->state.model.load(std::move(streamers), std::move(statuses), std::move(events),
                           storage::events_kept);
    self->state.loaded = true;
  };
  try_load();
  static const std::string not_loaded =
      "Storage is not available yet (the backend could not be loaded)";
  auto unloaded = [=](const reply_once& reply) {
    if (self->state.loaded) return false;
    reply(query_result::failure(errc::unavailable, not_loaded));
    return true;
  };
  auto refuse = [] { return caf::make_error(caf::sec::runtime_error, not_loaded); };
  return {
      [=](load_atom) {
        if (!self->state.loaded) try_load();
      },
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
      [=](health_atom, const reply_once& reply) {
        static const auto healthy =
            make_body(R"({"status":"healthy","storage":"connected"})");
        static const auto unhealthy =
            make_body(R"({"status":"unhealthy","storage":"disconnected"})");
        if (self->state.loaded && self->state.backend->connected())
          reply(query_result::success(healthy));
        else
          reply({errc::unavailable, {}, unhealthy, body_kind::json});
      },
      [=](record_atom, const transition& t) -> caf::result<caf::ok_atom> {
        if (!self->state.loaded) return refuse();
        auto& b = *self->state.backend;
        // A broadcaster that renamed itself: its status moves to the new login.
        std::string old_login;
        if (auto prev = self->state.model.status_by_user_id(t.status.user_id);
            prev && prev->username != t.status.username)
          old_login = prev->username;
        if (!old_login.empty()) {
          if (auto f = b.remove_status(old_login)) return storage_error(f);
          self->state.model.remove_status(old_login);
          log->info("storage: {} is now called {}", old_login, t.status.username);
        }
        if (auto f = b.put_status(t.status)) return storage_error(f);
        if (auto f = b.append_event(t.event, storage::events_kept))
          return storage_error(f);
        self->state.model.put_status(t.status);
        self->state.model.add_event(t.event, storage::events_kept);
        return caf::ok_atom::value;
      },
      [=](caf::put_atom, const stream_status& s) -> caf::result<caf::ok_atom> {
        if (!self->state.loaded) return refuse();
        if (auto f = self->state.backend->put_status(s)) return storage_error(f);
        self->state.model.put_status(s);
        return caf::ok_atom::value;
      },
      [=](caf::put_atom, const streamer_record& s) -> caf::result<caf::ok_atom> {
        if (!self->state.loaded) return refuse();
        if (auto f = self->state.backend->put_streamer(s)) return storage_error(f);
        self->state.model.put_streamer(s);
        return caf::ok_atom::value;
      },
      [=](caf::delete_atom, const std::string& login) -> caf::result<bool> {
        if (!self->state.loaded) return refuse();
        bool existed = false;
        if (auto f = self->state.backend->remove_streamer(login, existed))
          return storage_error(f);
        self->state.model.remove_streamer(login);
        return existed;
      },
      [=](caf::get_atom, streamers_atom) -> caf::result<std::vector<streamer_record>> {
        if (!self->state.loaded) return refuse();
        return self->state.model.streamers();
      },
      [=](caf::get_atom, by_id_atom,
          const std::string& user_id) -> caf::result<std::vector<stream_status>> {
        if (!self->state.loaded) return refuse();
        std::vector<stream_status> out;
        if (auto s = self->state.model.status_by_user_id(user_id)) out.push_back(*s);
        return out;
      },
      [=](revoked_atom, const revocation_notice& n) {
        if (!self->state.loaded) return;  // the reconciliation after loading catches up
        for (auto s : self->state.model.streamers()) {
          bool match_online =
              !n.subscription_id.empty() && s.online_subscription_id == n.subscription_id;
          bool match_offline = !n.subscription_id.empty() &&
                               s.offline_subscription_id == n.subscription_id;
          if (!match_online && !match_offline) continue;
          if (match_online) s.online_subscription_id.clear();
          if (match_offline) s.offline_subscription_id.clear();
          s.is_active = false;
          if (auto f = self->state.backend->put_streamer(s)) {
            log->error("storage: marking {} inactive failed: {}", s.username, *f);
            continue;
          }
          self->state.model.put_streamer(s);
          log->warn("storage: subscription {} ({}) of {} revoked: {}", n.subscription_id,
                    n.subscription_type, s.username, n.reason);
        }
      },
  };
}

}  // namespace eventsubd
