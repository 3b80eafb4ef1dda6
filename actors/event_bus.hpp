#pragma once

#include "actors/interfaces.hpp"

#include <vector>

namespace eventsubd {

struct event_bus_state {
  static inline const char* name = "event_bus";
  std::vector<stream_listener_actor> listeners;
};

/// Fans stream changes out to listeners; a listener that terminates is dropped.
event_bus_actor::behavior_type event_bus_fn(
    event_bus_actor::stateful_pointer<event_bus_state> self);

}  // namespace eventsubd
