#include "actors/subscription_manager.hpp"

#include "actors/errors.hpp"
#include "actors/manager_reconcile.hpp"
#include "core/json_codec.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace eventsubd {
namespace {

using manager::self_ptr;

constexpr auto storage_timeout = std::chrono::seconds(10);

query_result message(const std::string& text) {
  return query_result::success(make_body(single_field_json("message", text)));
}

query_result storage_failed(self_ptr self, const caf::error& err) {
  auto why =
      is_eventsubd_error(err) ? to_query_result(err).detail : self->system().render(err);
  return query_result::failure(errc::unavailable, "Storage failed: " + why);
}

const streamer_record* find_login(const std::vector<streamer_record>& all,
                                  const std::string& login) {
  auto it =
      std::find_if(all.begin(), all.end(), [&](auto& s) { return s.username == login; });
  return it == all.end() ? nullptr : &*it;
}

/// Runs `op` now, or after the operations on `login` already under way.
void in_turn(self_ptr self, const std::string& login, std::function<void()> op) {
  auto [it, first] = self->state.busy.try_emplace(login);
  if (first)
    op();
  else
    it->second.push_back(std::move(op));
}

/// The operation on `login` is over: the next one waiting for it starts.
void turn_done(self_ptr self, const std::string& login) {
  auto& busy = self->state.busy;
  auto it = busy.find(login);
  if (it == busy.end()) return;
  if (it->second.empty()) {
    busy.erase(it);
    return;
  }
  auto next = std::move(it->second.front());
  it->second.pop_front();
  next();
}

/// Answers an add or remove and lets the next operation on that login start.
auto finisher(self_ptr self, const std::string& login, const reply_once& reply) {
  return [=](query_result r) {
    reply(std::move(r));
    turn_done(self, login);
  };
}

/// The state of a streamer just added, from Get Streams, as bulk work: the person who
/// added it has their answer already; the refresher corrects anything missed.
void initialise_status(self_ptr self, const twitch_actor& twitch,
                       const streamer_supervisor_actor& supervisor,
                       const streamer_record& rec) {
  self->request(twitch, caf::infinite, caf::get_atom::value, streams_atom::value,
                twitch_ticket::bulk(), std::vector<std::string>{rec.user_id})
      .then(
          [=](const std::vector<twitch::twitch_stream>& streams) {
            auto p = poll_report::about(rec.user_id, rec.username, rec.display_name);
            p.initial = true;
            if (!streams.empty()) {
              p.live = true;
              p.stream_id = streams.front().id;
              p.started_at = streams.front().started_at;
              p.stream_raw = streams.front().raw;
            }
            self->send(supervisor, poll_atom::value, std::move(p));
          },
          [=](const caf::error& e) {
            log_for("actors")->info(
                "manager: status of {} not initialised ({}); the next refresh sets it",
                rec.username, to_query_result(e).detail);
          });
}

struct deps {
  twitch_actor twitch;
  storage_actor storage;
  streamer_supervisor_actor supervisor;
  refresher_actor refresher;
};

void store_added(self_ptr self, const deps& d, const streamer_record& rec,
                 std::function<void(query_result)> finish) {
  self->request(d.storage, storage_timeout, caf::put_atom::value, rec)
      .then(
          [=](caf::ok_atom) {
            log_for("actors")->info("manager: added streamer {} ({}), subscriptions {}",
                                    rec.username, rec.user_id,
                                    rec.is_active                   ? "active"
                                    : self->state.cfg.can_subscribe ? "pending retry"
                                                                    : "not made");
            if (!rec.is_active) manager::retry_soon(self);
            finish(message("Added streamer: " + rec.username));
            initialise_status(self, d.twitch, d.supervisor, rec);
          },
          [=](const caf::error& err) { finish(storage_failed(self, err)); });
}

void subscribe_and_store(self_ptr self, const deps& d, const twitch_ticket& ticket,
                         streamer_record rec, std::function<void(query_result)> finish) {
  if (!self->state.cfg.can_subscribe) return store_added(self, d, rec, finish);
  self->request(d.twitch, self->state.cfg.interactive_limit, subscribe_atom::value,
                ticket, rec)
      .then(
          [=](const streamer_record& updated) { store_added(self, d, updated, finish); },
          [=](const caf::error& err) {
            log_for("actors")->warn(
                "manager: subscribing {} failed ({}); stored inactive, a reconciliation "
                "retries in {} s",
                rec.username, to_query_result(err).detail,
                self->state.cfg.retry_after.count());
            store_added(self, d, rec, finish);
          });
}

void add(self_ptr self, const deps& d, const std::string& login,
         const reply_once& reply) {
  auto finish = finisher(self, login, reply);
  auto ticket = twitch_ticket::for_request(twitch::work_class::interactive,
                                           self->state.cfg.interactive_wait, reply);
  self->request(d.twitch, self->state.cfg.interactive_limit, caf::get_atom::value,
                users_atom::value, ticket, std::vector<std::string>{login})
      .then(
          [=](const std::vector<twitch::twitch_user>& users) {
            if (users.empty())
              return finish(query_result::failure(
                  errc::not_found, "Twitch user '" + login + "' not found"));
            auto user = users.front();
            self->state.adding.insert(user.id);
            auto finish_add = [=](query_result r) {
              self->state.adding.erase(user.id);
              finish(std::move(r));
            };
            self->request(d.storage, storage_timeout, caf::get_atom::value,
                          streamers_atom::value)
                .then(
                    [=](const std::vector<streamer_record>& all) {
                      const auto* existing = find_login(all, login);
                      if (existing &&
                          (existing->is_active || !self->state.cfg.can_subscribe))
                        return finish_add(
                            message("Added streamer: " + login));  // idempotent
                      auto rec = existing ? *existing : streamer_record{};
                      rec.user_id = user.id;
                      rec.username = login;
                      rec.display_name = user.display_name;
                      subscribe_and_store(self, d, ticket, rec, finish_add);
                    },
                    [=](const caf::error& err) {
                      finish_add(storage_failed(self, err));
                    });
          },
          [=](const caf::error& err) { finish(to_query_result(err)); });
}

void forget(self_ptr self, const deps& d, const std::string& login,
            std::function<void(query_result)> finish) {
  self->request(d.storage, storage_timeout, caf::delete_atom::value, login)
      .then(
          [=](bool) {
            log_for("actors")->info("manager: removed streamer {}", login);
            finish(message("Removed streamer: " + login));
          },
          [=](const caf::error& err) { finish(storage_failed(self, err)); });
}

void remove(self_ptr self, const deps& d, const std::string& login,
            const reply_once& reply) {
  auto finish = finisher(self, login, reply);
  self->request(d.storage, storage_timeout, caf::get_atom::value, streamers_atom::value)
      .then(
          [=](const std::vector<streamer_record>& all) {
            const auto* found = find_login(all, login);
            if (!found)
              return finish(query_result::failure(
                  errc::not_found, "Streamer '" + login + "' is not monitored"));
            auto rec = *found;
            if (rec.online_subscription_id.empty() && rec.offline_subscription_id.empty())
              return forget(self, d, login, finish);
            auto ticket = twitch_ticket::for_request(
                twitch::work_class::interactive, self->state.cfg.interactive_wait, reply);
            self->request(d.twitch, self->state.cfg.interactive_limit, unsub_atom::value,
                          ticket, rec)
                .then([=](caf::ok_atom) { forget(self, d, login, finish); },
                      [=](const caf::error& err) {
                        // Removed here all the same; the reconciliation deletes what no
                        // monitored streamer owns.
                        log_for("actors")->warn(
                            "manager: deleting the subscriptions of {} failed ({}); a "
                            "reconciliation deletes them in {} s",
                            login, to_query_result(err).detail,
                            self->state.cfg.retry_after.count());
                        manager::retry_soon(self);
                        forget(self, d, login, finish);
                      });
          },
          [=](const caf::error& err) { finish(storage_failed(self, err)); });
}

/// Twitch removed the user: stop monitoring it (in turn with adds and removes).
void user_removed(self_ptr self, const deps& d, const revocation_notice& n) {
  self->request(d.storage, storage_timeout, caf::get_atom::value, streamers_atom::value)
      .then(
          [=](const std::vector<streamer_record>& all) {
            for (const auto& s : all) {
              if (s.user_id != n.broadcaster_user_id) continue;
              log_for("actors")->warn(
                  "manager: Twitch removed user {}; no longer monitored", s.username);
              in_turn(self, s.username,
                      [=] { remove(self, d, s.username, reply_once{}); });
            }
          },
          [=](const caf::error& err) {
            log_for("actors")->error(
                "manager: reading streamers after a user_removed revocation failed ({}); "
                "the next reconciliation catches up",
                self->system().render(err));
          });
}

/// Resolves DEFAULT_STREAMERS and stores those not monitored yet, then `done(ok)`.
/// When Twitch or storage cannot be asked, they are tried again after retry_after: the
/// server recovers without a restart.
void add_defaults(self_ptr self, const deps& d, std::function<void(bool)> done) {
  auto log = log_for("actors");
  auto retry = [=](const std::string& why) {
    log->error("manager: adding DEFAULT_STREAMERS failed ({}); retrying in {} s", why,
               self->state.cfg.retry_after.count());
    self->delayed_send(self, self->state.cfg.retry_after, defaults_atom::value);
    done(false);
  };
  const auto& logins = self->state.cfg.default_streamers;
  self->request(d.twitch, caf::infinite, caf::get_atom::value, users_atom::value,
                twitch_ticket::bulk(), logins)
      .then(
          [=](const std::vector<twitch::twitch_user>& users) {
            for (const auto& login : self->state.cfg.default_streamers)
              if (std::none_of(users.begin(), users.end(),
                               [&](auto& u) { return u.login == login; }))
                log->warn("manager: default streamer {} is not a Twitch user", login);
            self->request(d.storage, storage_timeout, caf::get_atom::value,
                          streamers_atom::value)
                .then(
                    [=](const std::vector<streamer_record>& all) {
                      for (const auto& u : users) {
                        if (find_login(all, u.login)) continue;
                        self->request(d.storage, storage_timeout, caf::put_atom::value,
                                      streamer_record{
                                          u.id, u.login, u.display_name, {}, {}, false})
                            .then([](caf::ok_atom) {},
                                  [=](const caf::error& e) {
                                    log->error("manager: storing {} failed: {}", u.login,
                                               self->system().render(e));
                                  });
                      }
                      done(true);
                    },
                    [=](const caf::error& e) { retry(self->system().render(e)); });
          },
          [=](const caf::error& e) { retry(to_query_result(e).detail); });
}

/// The first start-up round: default streamers, then every status (the refresher's
/// first round). Then the server is ready (/health stops saying "starting"), whether the
/// round succeeded or a retry is scheduled, and the subscriptions are reconciled.
void start_up(self_ptr self, const deps& d) {
  auto ready_then_reconcile = [=] {
    if (const auto& started = self->state.cfg.started) started->store(true);
    log_for("actors")->info("manager: start-up round done; reconciling subscriptions");
    self->send(self, reconcile_atom::value, true);  // and every reconcile_every after
  };
  auto statuses = [=] {
    // The refresher answers once its first round is over, successful or not.
    self->request(d.refresher, caf::infinite, startup_atom::value)
        .then([=](caf::ok_atom) { ready_then_reconcile(); },
              [=](const caf::error&) { ready_then_reconcile(); });
  };
  if (self->state.cfg.default_streamers.empty()) return statuses();
  log_for("actors")->info("manager: adding {} default streamers",
                          self->state.cfg.default_streamers.size());
  add_defaults(self, d, [=](bool) { statuses(); });
}

}  // namespace

subscription_manager_actor::behavior_type subscription_manager_fn(
    self_ptr self, subscription_manager_config cfg, const twitch_actor& twitch,
    const storage_actor& storage, const streamer_supervisor_actor& supervisor,
    const refresher_actor& refresher) {
  self->state.cfg = std::move(cfg);
  deps d{twitch, storage, supervisor, refresher};
  return {
      [=](caf::add_atom, const std::string& login, const reply_once& reply) {
        in_turn(self, login, [=] { add(self, d, login, reply); });
      },
      [=](caf::delete_atom, const std::string& login, const reply_once& reply) {
        in_turn(self, login, [=] { remove(self, d, login, reply); });
      },
      [=](revoked_atom, const revocation_notice& n) {
        if (n.reason == "user_removed") return user_removed(self, d, n);
        log_for("actors")->info("manager: re-subscribing after revocation of {} ({})",
                                n.subscription_id, n.reason);
        manager::reconcile(self, twitch, storage);
      },
      [=](reconcile_atom, bool periodic) {
        if (periodic)
          self->delayed_send(self, self->state.cfg.reconcile_every, reconcile_atom::value,
                             true);
        else
          self->state.retry_scheduled = false;
        manager::reconcile(self, twitch, storage);
      },
      [=](startup_atom) { start_up(self, d); },
      [=](defaults_atom) {
        // A late success: subscribe the new streamers now; their statuses come with the
        // refresher's next round (or a webhook before it).
        add_defaults(self, d, [=](bool added) {
          if (added) manager::reconcile(self, twitch, storage);
        });
      },
  };
}

}  // namespace eventsubd
