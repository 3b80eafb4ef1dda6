#pragma once

#include "core/model.hpp"
#include "twitch/helix_types.hpp"

#include <string>
#include <vector>

namespace eventsubd::twitch {

/// The two subscription types every monitored streamer has.
inline constexpr const char* stream_types[] = {"stream.online", "stream.offline"};

/// A subscription to delete, and why.
struct planned_deletion {
  twitch_subscription subscription;
  std::string why;  // "duplicate" (a second usable one) or "failed" (not usable)
};

/// A subscription to create: `type` for `streamers[streamer]`.
struct planned_creation {
  size_t streamer = 0;
  std::string type;
};

/// What a reconciliation must do to bring Twitch's subscriptions for our callback in
/// line with the monitored streamers.
struct reconcile_plan {
  /// The monitored streamers with the ids they keep (adopted where Twitch has a usable
  /// one we did not know); a slot left empty is in `to_create` (or cannot be created).
  std::vector<streamer_record> streamers;
  std::vector<planned_creation> to_create;
  std::vector<planned_deletion> to_delete;
  /// Ours (our callback, our types) for broadcasters that are not monitored: deleted by
  /// the caller once no add of theirs is under way.
  std::vector<twitch_subscription> orphans;
  int adopted = 0;  // slots that now hold an id they did not hold before
};

/// True for a subscription that delivers or will deliver (enabled, or its callback
/// verification is under way).
bool usable(const twitch_subscription& s);

/// Decides a reconciliation; pure (no I/O). Subscriptions with another callback or of
/// other types are never touched. Per streamer and type: the id we know is kept if it
/// is usable, else the oldest usable one is adopted; every other one of ours is deleted
/// (a usable extra as a duplicate, an unusable one as failed); a type with none left is
/// created when `can_create` (WEBHOOK_URL and a usable secret are set). Without a
/// callback nothing is ours and the streamers come back unchanged.
reconcile_plan plan_reconciliation(std::vector<streamer_record> monitored,
                                   const std::vector<twitch_subscription>& listed,
                                   const std::string& callback, bool can_create);

}  // namespace eventsubd::twitch
