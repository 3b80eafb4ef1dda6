#pragma once

#include "actors/interfaces.hpp"

#include <caf/actor_system.hpp>

#include <vector>

namespace eventsubd {

/// The one place where extension actors are started and subscribed to the event bus.
/// Returns their handles; the application keeps them alive and stops them at shutdown.
std::vector<stream_listener_actor> start_extensions(caf::actor_system& sys,
                                                    const event_bus_actor& bus);

}  // namespace eventsubd
