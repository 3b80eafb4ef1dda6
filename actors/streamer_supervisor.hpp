#pragma once

#include "actors/interfaces.hpp"
#include "actors/streamer_actor.hpp"

#include <string>
#include <unordered_map>

namespace eventsubd {

struct streamer_supervisor_state {
  static inline const char* name = "streamer_supervisor";
  // Not an aggregate: under C++20 CAF would otherwise try `state(self)` and bind `self`
  // to the first member handle.
  streamer_supervisor_state() = default;
  storage_actor storage;
  event_bus_actor bus;
  stream_watcher_actor watcher;  // may be invalid (Twitch not configured)
  streamer_tuning tuning;
  std::unordered_map<std::string, streamer_actor> streamers;  // by broadcaster user id
};

/// Owns the per-broadcaster actors: spawns one (linked, so shutdown reaches it) on the
/// first report about a broadcaster, monitors it, and forgets it when it terminates (the
/// next report spawns a fresh one, which restores its state from storage).
streamer_supervisor_actor::behavior_type streamer_supervisor_fn(
    streamer_supervisor_actor::stateful_pointer<streamer_supervisor_state> self,
    storage_actor storage, event_bus_actor bus, stream_watcher_actor watcher,
    streamer_tuning tuning);

}  // namespace eventsubd
