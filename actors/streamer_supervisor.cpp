#include "actors/streamer_supervisor.hpp"

#include "core/logging.hpp"

#include <caf/all.hpp>

namespace eventsubd {

streamer_supervisor_actor::behavior_type streamer_supervisor_fn(
    streamer_supervisor_actor::stateful_pointer<streamer_supervisor_state> self,
    storage_actor storage, event_bus_actor bus, stream_watcher_actor watcher,
    streamer_tuning tuning) {
  auto log = log_for("actors");
  self->state.storage = std::move(storage);
  self->state.bus = std::move(bus);
  self->state.watcher = std::move(watcher);
  self->state.tuning = tuning;
  auto actor_for = [=](const std::string& user_id,
                       const std::string& login) -> streamer_actor& {
    auto& slot = self->state.streamers[user_id];
    if (!slot) {
      auto& st = self->state;
      slot = self->spawn<caf::linked>(streamer_fn, user_id, st.storage, st.bus,
                                      st.watcher, st.tuning);
      self->monitor(slot);
      log->debug("streamer_supervisor: spawned actor for {} ({})", login, user_id);
    }
    return slot;
  };
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& all = self->state.streamers;
    for (auto it = all.begin(); it != all.end(); ++it) {
      if (it->second.address() != down.source) continue;
      if (down.reason)
        log->warn("streamer_supervisor: actor of user {} terminated: {}", it->first,
                  self->system().render(down.reason));
      all.erase(it);
      return;
    }
  });
  // Children are linked so a shutdown reaches them at once, even while one awaits a
  // storage reply; a child that fails is handled by the down handler, not by dying too.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (const auto& [_, child] : self->state.streamers)
      if (child.address() == msg.source) return;
    self->quit(msg.reason);
  });
  return {
      [=](observe_atom, stream_report& report, reply_once& reply) {
        auto& target = actor_for(report.user_id, report.login);
        self->send(target, observe_atom::value, std::move(report), std::move(reply));
      },
      [=](poll_atom, poll_report& report) {
        auto& target = actor_for(report.user_id, report.login);
        self->send(target, poll_atom::value, std::move(report));
      },
  };
}

}  // namespace eventsubd
