#include "app/extensions.hpp"

#include "actors/go_live_logger.hpp"

#include <caf/all.hpp>

namespace eventsubd {

std::vector<stream_listener_actor> start_extensions(caf::actor_system& sys,
                                                    const event_bus_actor& bus) {
  std::vector<stream_listener_actor> started;
  // Add your own listener here: spawn it, subscribe it, keep its handle.
  started.push_back(sys.spawn(go_live_logger_fn));

  for (const auto& listener : started)
    caf::anon_send(bus, subscribe_atom::value, listener);
  return started;
}

}  // namespace eventsubd
