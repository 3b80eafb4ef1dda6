#include "actors/twitch_client.hpp"

#include "actors/twitch_errors.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <map>
#include <set>

namespace eventsubd {
namespace {

const char* const stream_types[] = {"stream.online", "stream.offline"};

std::string& id_slot(streamer_record& s, const std::string& type) {
  return type == "stream.online" ? s.online_subscription_id : s.offline_subscription_id;
}

bool usable(const twitch::twitch_subscription& s) {
  return s.status == "enabled" || s.status == "webhook_callback_verification_pending";
}

/// Creates whatever subscription `s` lacks. Returns the first failure (ids created before
/// it are kept in `s`).
result<void> create_missing(twitch::helix_client& helix, const twitch_client_config& cfg,
                            streamer_record& s) {
  for (const char* type : stream_types) {
    auto& slot = id_slot(s, type);
    if (!slot.empty()) continue;
    auto created = helix.create_subscription(type, s.user_id, cfg.callback, cfg.secret);
    if (!created) return created.error();
    const auto& sub = created->subscription;
    slot = sub.id;
    log_for("twitch")->info("twitch: {} {} subscription {} for {} ({})",
                            created->adopted ? "adopted" : "created", type, sub.id,
                            s.username, sub.status);
  }
  return {};
}

}  // namespace

twitch_client_actor::behavior_type twitch_client_fn(
    twitch_client_actor::stateful_pointer<twitch_client_state> self,
    twitch_client_config cfg) {
  auto log = log_for("twitch");
  self->state.cfg = std::move(cfg);
  auto stopping = self->state.cfg.stopping;
  const auto& made = self->state.cfg;
  self->state.helix.emplace(made.helix, made.token, made.budget, made.work,
                            [stopping] { return stopping && stopping->load(); });
  self->delayed_send(self, std::chrono::seconds(1), validate_atom::value);
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
        const auto& c = self->state.cfg;
        if (c.callback.empty() || c.secret.empty()) {
          s.is_active = false;
          log->warn(
              "twitch: cannot subscribe for {}: set WEBHOOK_URL and a usable "
              "WEBHOOK_SECRET",
              s.username);
          return s;
        }
        if (auto done = create_missing(*self->state.helix, c, s); !done)
          log->warn("twitch: subscribing {} failed, will retry: {}", s.username,
                    done.error().detail);
        s.is_active =
            !s.online_subscription_id.empty() && !s.offline_subscription_id.empty();
        return s;
      },
      [=](unsub_atom, const streamer_record& s) -> caf::result<caf::ok_atom> {
        for (const auto* id : {&s.online_subscription_id, &s.offline_subscription_id}) {
          if (id->empty()) continue;
          auto existed = self->state.helix->delete_subscription(*id);
          if (!existed) return to_caf_error(existed.error());
          log->info("twitch: {} subscription {} of {}",
                    *existed ? "deleted" : "already gone:", *id, s.username);
        }
        return caf::ok_atom::value;
      },
      [=](unsub_atom, const std::vector<std::string>& ids) -> caf::result<caf::ok_atom> {
        for (const auto& id : ids) {
          auto existed = self->state.helix->delete_subscription(id);
          if (!existed) return to_caf_error(existed.error());
          log->info("twitch: {} subscription {}",
                    *existed ? "deleted orphaned" : "already gone:", id);
        }
        return caf::ok_atom::value;
      },
      [=](reconcile_atom,
          std::vector<streamer_record> monitored) -> caf::result<reconcile_result> {
        auto& helix = *self->state.helix;
        const auto& c = self->state.cfg;
        auto listed = helix.list_subscriptions();
        if (!listed) return to_caf_error(listed.error());
        const auto& all = *listed;
        // Ours: our callback and our two types. Everything else is never touched.
        std::map<std::pair<std::string, std::string>,
                 std::vector<twitch::twitch_subscription>>
            ours;
        for (const auto& s : all)
          if (!c.callback.empty() && s.callback == c.callback &&
              (s.type == "stream.online" || s.type == "stream.offline"))
            ours[{s.broadcaster_user_id, s.type}].push_back(s);
        auto remove = [&](const twitch::twitch_subscription& s, const char* why) {
          if (auto existed = helix.delete_subscription(s.id); !existed)
            log->warn("twitch: deleting {} subscription {} failed: {}", why, s.id,
                      existed.error().detail);
          else
            log->info("twitch: deleted {} {} subscription {} ({})", why, s.type, s.id,
                      s.status);
        };
        std::set<std::string> monitored_ids;
        int created = 0, adopted = 0, deleted = 0;
        for (auto& s : monitored) {
          monitored_ids.insert(s.user_id);
          for (const char* type : stream_types) {
            auto& slot = id_slot(s, type);
            auto& candidates = ours[{s.user_id, type}];
            // Keep the one we know if it is usable, else the oldest usable one.
            const twitch::twitch_subscription* keep = nullptr;
            for (auto& cand : candidates)
              if (usable(cand) && cand.id == slot) keep = &cand;
            for (auto& cand : candidates)
              if (!keep && usable(cand)) keep = &cand;
            for (auto& cand : candidates) {
              if (keep && cand.id == keep->id) continue;
              remove(cand, usable(cand) ? "duplicate" : "failed");
              ++deleted;
            }
            if (keep) {
              if (slot != keep->id) ++adopted;
              slot = keep->id;
            } else {
              slot.clear();
            }
          }
          if (!c.callback.empty() && !c.secret.empty() &&
              (s.online_subscription_id.empty() || s.offline_subscription_id.empty())) {
            bool had_online = !s.online_subscription_id.empty(),
                 had_offline = !s.offline_subscription_id.empty();
            if (auto done = create_missing(helix, c, s); !done)
              log->warn("twitch: subscribing {} failed, will retry: {}", s.username,
                        done.error().detail);
            created += (!had_online && !s.online_subscription_id.empty()) +
                       (!had_offline && !s.offline_subscription_id.empty());
          }
          s.is_active =
              !s.online_subscription_id.empty() && !s.offline_subscription_id.empty();
        }
        reconcile_result result;
        for (auto& [key, subs] : ours)
          if (!monitored_ids.count(key.first))
            for (auto& s : subs) {
              result.orphan_ids.push_back(s.id);
              result.orphan_broadcasters.push_back(s.broadcaster_user_id);
            }
        log->info(
            "twitch: reconciled {} streamers: {} subscriptions created, {} adopted, {} "
            "deleted, {} of unmonitored broadcasters",
            monitored.size(), created, adopted, deleted, result.orphan_ids.size());
        result.streamers = std::move(monitored);
        return result;
      },
      [=](validate_atom) {
        if (auto valid = self->state.helix->validate(); !valid)
          log->warn("twitch: token validation failed: {}", valid.error().detail);
        self->delayed_send(self, self->state.cfg.validate_every, validate_atom::value);
      },
  };
}

}  // namespace eventsubd
