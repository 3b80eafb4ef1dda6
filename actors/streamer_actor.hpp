#pragma once

#include "actors/interfaces.hpp"
#include "core/stream_state.hpp"

#include <string>

namespace eventsubd {

struct streamer_state {
  static inline const char* name = "streamer";
  std::string user_id;
  stream_state_machine machine;
};

/// One broadcaster. Restores its state machine from storage at start (reports wait until
/// then), then applies each report: duplicates and stale reports are answered without a
/// write; a real transition is stored (status + event together), committed, and
/// published on the event bus, in that order, one report at a time.
streamer_actor::behavior_type streamer_fn(
    streamer_actor::stateful_pointer<streamer_state> self, std::string user_id,
    storage_actor storage, event_bus_actor bus);

}  // namespace eventsubd
