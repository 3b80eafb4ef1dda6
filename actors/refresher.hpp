#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <vector>

namespace eventsubd {

struct refresher_state {
  static inline const char* name = "refresher";
  refresher_state() = default;
  std::chrono::seconds interval{300};
  bool running = false;  // a round is in flight
  std::vector<caf::typed_response_promise<caf::ok_atom>> startup_waiting;
};

/// Every `interval`: Get Streams for all monitored streamers, and for every broadcaster
/// with a stored live status that nobody monitors (e.g. an event that raced a DELETE),
/// so no live status outlives monitoring (ceil(N/100) calls); one poll report per
/// streamer to its actor, which updates metadata and corrects missed transitions
/// (debounced there). A failed round changes nothing: an outage never reads
/// as "offline". The first round (start-up) initialises statuses and logs each one.
refresher_actor::behavior_type refresher_fn(
    refresher_actor::stateful_pointer<refresher_state> self,
    std::chrono::seconds interval, const twitch_actor& twitch,
    const storage_actor& storage, const streamer_supervisor_actor& supervisor);

}  // namespace eventsubd
