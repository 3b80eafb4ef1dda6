#include "actors/subscription_manager.hpp"

#include "actors/twitch_errors.hpp"
#include "core/json_codec.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <functional>

namespace eventsubd {
namespace {

constexpr auto storage_timeout = std::chrono::seconds(10);
constexpr auto twitch_timeout = std::chrono::minutes(10);  // bulk work paces itself

query_result message(const std::string& text) {
  return query_result::success(make_body(single_field_json("message", text)));
}

const streamer_record* find_login(const std::vector<streamer_record>& all,
                                  const std::string& login) {
  auto it =
      std::find_if(all.begin(), all.end(), [&](auto& s) { return s.username == login; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace

subscription_manager_actor::behavior_type subscription_manager_fn(
    subscription_manager_actor::stateful_pointer<subscription_manager_state> self,
    subscription_manager_config cfg, const twitch_client_actor& twitch,
    const twitch_client_actor& bulk, const storage_actor& storage,
    const streamer_supervisor_actor& supervisor, const refresher_actor& refresher) {
  auto log = log_for("actors");
  self->state.cfg = std::move(cfg);

  // A failed subscribe/delete is retried by a reconciliation soon, not forgotten.
  auto schedule_retry = [=] {
    if (self->state.retry_scheduled) return;
    self->state.retry_scheduled = true;
    self->delayed_send(self, self->state.cfg.retry_after, reconcile_atom::value, false);
  };

  // Writes the streamer, then asks the refresher-like path for its current status.
  auto store_and_initialise = [=](const streamer_record& rec, const reply_once& reply) {
    self->request(storage, storage_timeout, caf::put_atom::value, rec)
        .await(
            [=](caf::ok_atom) {
              if (!rec.is_active) schedule_retry();
              self->request(twitch, twitch_timeout, caf::get_atom::value,
                            streams_atom::value, std::vector<std::string>{rec.user_id})
                  .then(
                      [=](const std::vector<twitch::twitch_stream>& streams) {
                        auto p = poll_report::about(rec.user_id, rec.username,
                                                    rec.display_name);
                        p.live = !streams.empty();
                        if (!streams.empty()) {
                          p.stream_id = streams.front().id;
                          p.started_at = streams.front().started_at;
                          p.stream_raw = streams.front().raw;
                        }
                        p.initial = true;
                        self->send(supervisor, poll_atom::value, std::move(p));
                      },
                      [=](const caf::error&) {});  // the refresher will catch up
              log->info("manager: added streamer {} ({}), subscriptions {}", rec.username,
                        rec.user_id, rec.is_active ? "active" : "pending retry");
              reply(message("Added streamer: " + rec.username));
            },
            [=](const caf::error& err) {
              reply(query_result::failure(
                  errc::unavailable, "Storage failed: " + self->system().render(err)));
            });
  };

  auto apply_reconciled = [=](const std::vector<streamer_record>& before,
                              const reconcile_result& result,
                              const std::vector<streamer_record>& now_stored) {
    const auto& after = result.streamers;
    // Orphans: only those whose broadcaster is still unmonitored now. (`now_stored` is
    // awaited and adds `await` each step, so no add runs between that read and this: an
    // add is either stored or not begun; one begun later subscribes behind the deletion.)
    std::vector<std::string> orphans, owners;
    for (size_t i = 0; i < result.orphan_ids.size(); ++i) {
      const auto& broadcaster = result.orphan_broadcasters[i];
      bool stored = std::any_of(now_stored.begin(), now_stored.end(),
                                [&](auto& s) { return s.user_id == broadcaster; });
      if (!stored) {
        orphans.push_back(result.orphan_ids[i]);
        owners.push_back(broadcaster);
      }
    }
    if (!orphans.empty()) {
      for (const auto& b : owners) ++self->state.orphans_deleting[b];
      auto deleted = [=] {
        auto& deleting = self->state.orphans_deleting;
        for (const auto& b : owners)
          if (auto it = deleting.find(b); it != deleting.end() && --it->second <= 0)
            deleting.erase(it);
      };
      self->request(bulk, twitch_timeout, unsub_atom::value, orphans)
          .then([=](caf::ok_atom) { deleted(); },
                [=](const caf::error& e) {
                  deleted();
                  log->warn("manager: deleting orphaned subscriptions failed: {}",
                            to_query_result(e).detail);
                });
    }
    bool incomplete = false;
    for (size_t i = 0; i < after.size() && i < before.size(); ++i) {
      const auto& u = after[i];
      const auto& b = before[i];
      const auto* current = find_login(now_stored, u.username);
      if (!current || current->online_subscription_id != b.online_subscription_id ||
          current->offline_subscription_id != b.offline_subscription_id)
        continue;  // removed or changed meanwhile
      incomplete |= !u.is_active;
      if (u.online_subscription_id == b.online_subscription_id &&
          u.offline_subscription_id == b.offline_subscription_id &&
          u.is_active == current->is_active)
        continue;
      self->request(storage, storage_timeout, caf::put_atom::value, u)
          .then([](caf::ok_atom) {},
                [=](const caf::error& e) {
                  log->error("manager: storing {} failed: {}", u.username,
                             self->system().render(e));
                });
    }
    if (incomplete) schedule_retry();
  };

  // Runs without blocking the manager (adds and removes go on meanwhile); results are
  // written only for streamers still stored unchanged, so a streamer removed during a
  // reconciliation is not brought back (its new subscriptions are orphans the next
  // reconciliation deletes).
  auto run_reconcile = [=](bool periodic) {
    if (periodic)
      self->delayed_send(self, self->state.cfg.reconcile_every, reconcile_atom::value,
                         true);
    self->request(storage, storage_timeout, caf::get_atom::value, streamers_atom::value)
        .then(
            [=](const std::vector<streamer_record>& monitored) {
              self->request(bulk, twitch_timeout, reconcile_atom::value, monitored)
                  .then(
                      [=](const reconcile_result& result) {
                        // Awaited: an add must not run between this read and its use
                        // (it would store a subscription this read does not show, and
                        // the subscription would be deleted as an orphan).
                        self->request(storage, storage_timeout, caf::get_atom::value,
                                      streamers_atom::value)
                            .await(
                                [=](const std::vector<streamer_record>& now_stored) {
                                  apply_reconciled(monitored, result, now_stored);
                                },
                                [](const caf::error&) {});
                      },
                      [=](const caf::error& err) {
                        log->warn("manager: reconciliation failed: {}",
                                  to_query_result(err).detail);
                        schedule_retry();
                      });
            },
            [=](const caf::error& err) {
              log->error("manager: reading streamers failed: {}",
                         self->system().render(err));
            });
  };

  // Resolves DEFAULT_STREAMERS and stores the ones not monitored yet, then calls
  // `done(true)`. When Twitch cannot be asked (down at start-up), the rest of start-up
  // goes on without them, `done(false)`, and they are tried again after retry_after:
  // the server recovers without a restart.
  auto add_defaults = [=](const std::function<void(bool)>& done) {
    const auto& defaults = self->state.cfg.default_streamers;
    self->request(bulk, twitch_timeout, caf::get_atom::value, users_atom::value, defaults)
        .then(
            [=](const std::vector<twitch::twitch_user>& users) {
              for (const auto& login : self->state.cfg.default_streamers)
                if (std::none_of(users.begin(), users.end(),
                                 [&](auto& u) { return u.login == login; }))
                  log->warn("manager: default streamer {} is not a Twitch user", login);
              self->request(storage, storage_timeout, caf::get_atom::value,
                            streamers_atom::value)
                  .then(
                      [=](const std::vector<streamer_record>& all) {
                        for (const auto& u : users) {
                          if (find_login(all, u.login)) continue;
                          streamer_record rec{u.id, u.login, u.display_name,
                                              {},   {},      false};
                          self->request(storage, storage_timeout, caf::put_atom::value,
                                        rec)
                              .then([](caf::ok_atom) {}, [](const caf::error&) {});
                        }
                        done(true);
                      },
                      [=](const caf::error&) { done(true); });
            },
            [=](const caf::error& err) {
              log->error(
                  "manager: resolving DEFAULT_STREAMERS failed, retrying in {} s: {}",
                  self->state.cfg.retry_after.count(), to_query_result(err).detail);
              self->delayed_send(self, self->state.cfg.retry_after, defaults_atom::value);
              done(false);
            });
  };

  return {
      [=](caf::add_atom, const std::string& login, const reply_once& reply) {
        self->request(twitch, twitch_timeout, caf::get_atom::value, users_atom::value,
                      std::vector<std::string>{login})
            .await(
                [=](const std::vector<twitch::twitch_user>& users) {
                  if (users.empty())
                    return reply(query_result::failure(
                        errc::not_found, "Twitch user '" + login + "' not found"));
                  auto user = users.front();
                  self->request(storage, storage_timeout, caf::get_atom::value,
                                streamers_atom::value)
                      .await(
                          [=](const std::vector<streamer_record>& all) {
                            const auto* existing = find_login(all, login);
                            if (existing && existing->is_active)
                              return reply(
                                  message("Added streamer: " + login));  // idempotent
                            streamer_record rec =
                                existing ? *existing : streamer_record{};
                            rec.user_id = user.id;
                            rec.username = login;
                            rec.display_name = user.display_name;
                            // Behind any deletion of its orphaned subscriptions.
                            auto via = self->state.orphans_deleting.count(user.id)
                                           ? bulk
                                           : twitch;
                            self->request(via, twitch_timeout, subscribe_atom::value, rec)
                                .await(
                                    [=](const streamer_record& updated) {
                                      store_and_initialise(updated, reply);
                                    },
                                    [=](const caf::error& err) {
                                      log->warn("manager: subscribing {} failed: {}",
                                                login, to_query_result(err).detail);
                                      store_and_initialise(rec, reply);
                                    });
                          },
                          [=](const caf::error& err) {
                            reply(query_result::failure(
                                errc::unavailable,
                                "Storage failed: " + self->system().render(err)));
                          });
                },
                [=](const caf::error& err) { reply(to_query_result(err)); });
      },
      [=](caf::delete_atom, const std::string& login, const reply_once& reply) {
        self->request(storage, storage_timeout, caf::get_atom::value,
                      streamers_atom::value)
            .await(
                [=](const std::vector<streamer_record>& all) {
                  const auto* found = find_login(all, login);
                  if (!found)
                    return reply(query_result::failure(
                        errc::not_found, "Streamer '" + login + "' is not monitored"));
                  auto rec = *found;
                  auto forget = [=] {
                    self->request(storage, storage_timeout, caf::delete_atom::value,
                                  login)
                        .await(
                            [=](bool) {
                              log->info("manager: removed streamer {}", login);
                              reply(message("Removed streamer: " + login));
                            },
                            [=](const caf::error& err) {
                              reply(query_result::failure(
                                  errc::unavailable,
                                  "Storage failed: " + self->system().render(err)));
                            });
                  };
                  self->request(twitch, twitch_timeout, unsub_atom::value, rec)
                      .await([=](caf::ok_atom) { forget(); },
                             [=](const caf::error& err) {
                               // Removed here all the same; the next reconciliation
                               // deletes the subscriptions that no monitored streamer
                               // owns.
                               log->warn(
                                   "manager: deleting the subscriptions of {} failed: {}",
                                   login, to_query_result(err).detail);
                               schedule_retry();
                               forget();
                             });
                },
                [=](const caf::error& err) {
                  reply(query_result::failure(
                      errc::unavailable,
                      "Storage failed: " + self->system().render(err)));
                });
      },
      [=](revoked_atom, const revocation_notice& n) {
        if (n.reason != "user_removed") {
          log->info("manager: re-subscribing after revocation of {} ({})",
                    n.subscription_id, n.reason);
          run_reconcile(false);
          return;
        }
        // The Twitch user no longer exists: stop monitoring it.
        self->request(storage, storage_timeout, caf::get_atom::value,
                      streamers_atom::value)
            .await(
                [=](const std::vector<streamer_record>& all) {
                  for (const auto& s : all) {
                    if (s.user_id != n.broadcaster_user_id) continue;
                    log->warn("manager: Twitch removed user {}; no longer monitored",
                              s.username);
                    self->request(twitch, twitch_timeout, unsub_atom::value, s)
                        .then([](caf::ok_atom) {}, [](const caf::error&) {});
                    self->request(storage, storage_timeout, caf::delete_atom::value,
                                  s.username)
                        .then([](bool) {}, [](const caf::error&) {});
                  }
                },
                [](const caf::error&) {});
      },
      [=](reconcile_atom, bool periodic) {
        if (!periodic) self->state.retry_scheduled = false;
        run_reconcile(periodic);
      },
      [=](startup_atom) {
        // Statuses first (one batched Get Streams round), then the subscriptions.
        auto continue_startup = [=] {
          self->request(refresher, twitch_timeout, startup_atom::value)
              .then([=](caf::ok_atom) { run_reconcile(true); },
                    [=](const caf::error&) { run_reconcile(true); });
        };
        if (self->state.cfg.default_streamers.empty()) return continue_startup();
        log->info("manager: adding {} default streamers",
                  self->state.cfg.default_streamers.size());
        add_defaults([=](bool) { continue_startup(); });
      },
      [=](defaults_atom) {
        // A late success: subscribe the new streamers now; their statuses come with the
        // refresher's next round (or a webhook before it).
        add_defaults([=](bool added) {
          if (added) run_reconcile(false);
        });
      },
  };
}

}  // namespace eventsubd
