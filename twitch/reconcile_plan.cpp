#include "twitch/reconcile_plan.hpp"

#include <map>
#include <set>
#include <utility>

namespace eventsubd::twitch {
namespace {

using subscriptions_by_key =
    std::map<std::pair<std::string, std::string>, std::vector<twitch_subscription>>;

std::string& id_slot(streamer_record& s, std::string_view type) {
  return type == "stream.online" ? s.online_subscription_id : s.offline_subscription_id;
}

/// Ours: our callback and one of our two types, by (broadcaster, type), in listing order
/// (Twitch lists the oldest first).
subscriptions_by_key ours(const std::vector<twitch_subscription>& listed,
                          const std::string& callback) {
  subscriptions_by_key out;
  for (const auto& s : listed)
    if (s.callback == callback &&
        (s.type == "stream.online" || s.type == "stream.offline"))
      out[{s.broadcaster_user_id, s.type}].push_back(s);
  return out;
}

/// The one to keep among one streamer's subscriptions of one type: the known one if
/// usable, else the oldest usable one; null when none is usable.
const twitch_subscription* keeper(const std::vector<twitch_subscription>& candidates,
                                  const std::string& known) {
  for (const auto& c : candidates)
    if (usable(c) && c.id == known) return &c;
  for (const auto& c : candidates)
    if (usable(c)) return &c;
  return nullptr;
}

}  // namespace

bool usable(const twitch_subscription& s) {
  return s.status == "enabled" || s.status == "webhook_callback_verification_pending";
}

reconcile_plan plan_reconciliation(std::vector<streamer_record> monitored,
                                   const std::vector<twitch_subscription>& listed,
                                   const std::string& callback, bool can_create) {
  reconcile_plan plan;
  if (callback.empty()) {  // nothing is ours: nothing to decide
    plan.streamers = std::move(monitored);
    return plan;
  }
  auto by_key = ours(listed, callback);
  std::set<std::string> monitored_ids;
  for (size_t i = 0; i < monitored.size(); ++i) {
    auto& s = monitored[i];
    monitored_ids.insert(s.user_id);
    for (const char* type : stream_types) {
      auto& slot = id_slot(s, type);
      const auto& candidates = by_key[{s.user_id, type}];
      const auto* keep = keeper(candidates, slot);
      for (const auto& c : candidates)
        if (!keep || c.id != keep->id)
          plan.to_delete.push_back({c, usable(c) ? "duplicate" : "failed"});
      if (keep && slot != keep->id) ++plan.adopted;
      slot = keep ? keep->id : std::string{};
      if (slot.empty() && can_create) plan.to_create.push_back({i, type});
    }
    s.is_active = !s.online_subscription_id.empty() && !s.offline_subscription_id.empty();
  }
  for (const auto& [key, subs] : by_key)
    if (!monitored_ids.count(key.first))
      plan.orphans.insert(plan.orphans.end(), subs.begin(), subs.end());
  plan.streamers = std::move(monitored);
  return plan;
}

}  // namespace eventsubd::twitch
