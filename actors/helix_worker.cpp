#include "actors/helix_worker.hpp"

#include "actors/errors.hpp"
#include "core/logging.hpp"
#include "twitch/reconcile_plan.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

using self_ptr = helix_worker_actor::stateful_pointer<helix_worker_state>;

std::string& id_slot(streamer_record& s, std::string_view type) {
  return type == "stream.online" ? s.online_subscription_id : s.offline_subscription_id;
}

/// Creates one subscription into its slot of `s`.
result<void> create(self_ptr self, streamer_record& s, const std::string& type) {
  const auto& c = self->state.cfg;
  auto created =
      self->state.helix->create_subscription(type, s.user_id, c.callback, c.secret);
  if (!created) return created.error();
  const auto& sub = created->subscription;
  id_slot(s, type) = sub.id;
  log_for("twitch")->info("twitch: {} {} subscription {} for {} ({})",
                          created->adopted ? "adopted" : "created", type, sub.id,
                          s.username, sub.status);
  return {};
}

void set_active(streamer_record& s) {
  s.is_active = !s.online_subscription_id.empty() && !s.offline_subscription_id.empty();
}

/// Deletes subscriptions by id; a 404 means already gone.
result<void> delete_all(self_ptr self, const std::vector<std::string>& ids,
                        const std::string& of) {
  for (const auto& id : ids) {
    if (id.empty()) continue;
    auto existed = self->state.helix->delete_subscription(id);
    if (!existed) return existed.error();
    log_for("twitch")->info("twitch: {} subscription {}{}",
                            *existed ? "deleted" : "already gone:", id, of);
  }
  return {};
}

/// Lists, plans (twitch/reconcile_plan) and carries out a reconciliation.
caf::result<reconcile_result> reconcile(self_ptr self,
                                        std::vector<streamer_record> monitored) {
  auto& helix = *self->state.helix;
  const auto& c = self->state.cfg;
  auto listed = helix.list_subscriptions();
  if (!listed) return to_caf_error(listed.error());
  bool can_create = !c.callback.empty() && !c.secret.empty();
  auto plan =
      twitch::plan_reconciliation(std::move(monitored), *listed, c.callback, can_create);
  reconcile_result out;
  out.adopted = plan.adopted;
  for (const auto& d : plan.to_delete) {
    auto existed = helix.delete_subscription(d.subscription.id);
    if (!existed) {
      ++out.failed;
      log_for("twitch")->warn("twitch: deleting {} subscription {} failed: {}", d.why,
                              d.subscription.id, existed.error().detail);
      continue;
    }
    ++out.deleted;
    log_for("twitch")->info("twitch: deleted {} {} subscription {} ({})", d.why,
                            d.subscription.type, d.subscription.id,
                            d.subscription.status);
  }
  for (const auto& wanted : plan.to_create) {
    auto& s = plan.streamers[wanted.streamer];
    if (auto made = create(self, s, wanted.type); made.ok()) {
      ++out.created;
    } else {
      ++out.failed;
      log_for("twitch")->warn("twitch: subscribing {} ({}) failed: {}", s.username,
                              wanted.type, made.error().detail);
    }
  }
  for (auto& s : plan.streamers) set_active(s);
  for (const auto& o : plan.orphans) {
    out.orphan_ids.push_back(o.id);
    out.orphan_broadcasters.push_back(o.broadcaster_user_id);
  }
  out.streamers = std::move(plan.streamers);
  return out;
}

}  // namespace

helix_worker_actor::behavior_type helix_worker_fn(self_ptr self,
                                                  helix_worker_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  auto stopping = st.cfg.stopping;
  st.helix.emplace(st.cfg.helix, st.cfg.token, st.cfg.budget, st.cfg.work,
                   [stopping] { return stopping && stopping->load(); });
  return {
      [=](caf::get_atom, users_atom, const std::vector<std::string>& logins)
          -> caf::result<std::vector<twitch::twitch_user>> {
        auto users = self->state.helix->get_users(logins);
        if (!users) return to_caf_error(users.error());
        return std::move(*users);
      },
      [=](caf::get_atom, streams_atom, const std::vector<std::string>& ids)
          -> caf::result<std::vector<twitch::twitch_stream>> {
        auto streams = self->state.helix->get_streams(ids);
        if (!streams) return to_caf_error(streams.error());
        return std::move(*streams);
      },
      [=](subscribe_atom, streamer_record s) -> caf::result<streamer_record> {
        // A failure leaves the slot empty: the streamer is stored inactive and a
        // reconciliation retries (the manager logs it once, with when).
        for (const char* type : twitch::stream_types)
          if (id_slot(s, type).empty())
            if (auto made = create(self, s, type); !made) {
              set_active(s);
              if (s.online_subscription_id.empty() && s.offline_subscription_id.empty())
                return to_caf_error(made.error());
              log_for("twitch")->warn("twitch: subscribing {} ({}) failed: {}",
                                      s.username, type, made.error().detail);
            }
        set_active(s);
        return s;
      },
      [=](unsub_atom, const streamer_record& s) -> caf::result<caf::ok_atom> {
        auto done =
            delete_all(self, {s.online_subscription_id, s.offline_subscription_id},
                       " of " + s.username);
        if (!done) return to_caf_error(done.error());
        return caf::ok_atom::value;
      },
      [=](unsub_atom, const std::vector<std::string>& ids) -> caf::result<caf::ok_atom> {
        auto done = delete_all(self, ids, " (no monitored streamer owns it)");
        if (!done) return to_caf_error(done.error());
        return caf::ok_atom::value;
      },
      [=](reconcile_atom, std::vector<streamer_record> monitored) {
        return reconcile(self, std::move(monitored));
      },
      [=](validate_atom) -> caf::result<caf::ok_atom> {
        if (auto ok = self->state.helix->validate(); !ok) {
          log_for("twitch")->warn(
              "twitch: token validation failed ({}); the next call "
              "fetches a new one if Twitch rejects it",
              ok.error().detail);
          return to_caf_error(ok.error());
        }
        return caf::ok_atom::value;
      },
  };
}

}  // namespace eventsubd
