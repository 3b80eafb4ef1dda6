#include "actors/event_bus.hpp"

#include "core/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace eventsubd {

event_bus_actor::behavior_type event_bus_fn(
    event_bus_actor::stateful_pointer<event_bus_state> self) {
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& ls = self->state.listeners;
    ls.erase(std::remove_if(ls.begin(), ls.end(),
                            [&](const stream_listener_actor& l) {
                              return l.address() == down.source;
                            }),
             ls.end());
    log_for("actors")->debug("event_bus: a listener terminated; {} remain", ls.size());
  });
  return {
      [=](publish_atom, const stream_change& change) {
        for (const auto& listener : self->state.listeners) self->send(listener, change);
      },
      [=](subscribe_atom, const stream_listener_actor& listener) {
        auto& ls = self->state.listeners;
        if (std::find(ls.begin(), ls.end(), listener) != ls.end()) return;
        self->monitor(listener);
        ls.push_back(listener);
      },
  };
}

}  // namespace eventsubd
