#include "actors/refresher.hpp"

#include "actors/errors.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <unordered_map>

namespace eventsubd {

refresher_actor::behavior_type refresher_fn(
    refresher_actor::stateful_pointer<refresher_state> self,
    std::chrono::seconds interval, const twitch_actor& twitch,
    const storage_actor& storage, const streamer_supervisor_actor& supervisor) {
  auto log = log_for("actors");
  self->state.interval = interval;
  auto next_round = [=] {
    self->state.running = false;
    for (auto& rp : self->state.startup_waiting) rp.deliver(caf::ok_atom::value);
    self->state.startup_waiting.clear();
    self->delayed_send(self, self->state.interval, refresh_atom::value, false);
  };
  return {
      [=](startup_atom) -> caf::result<caf::ok_atom> {
        auto rp = self->make_response_promise<caf::ok_atom>();
        self->state.startup_waiting.push_back(rp);
        self->send(self, refresh_atom::value, true);
        return rp;
      },
      [=](refresh_atom, bool initial) {
        if (self->state.running) return;
        self->state.running = true;
        self->request(storage, std::chrono::seconds(10), caf::get_atom::value,
                      targets_atom::value)
            .then(
                [=](const std::vector<streamer_record>& monitored) {
                  if (initial)
                    log->info("Initializing status for {} monitored streamers...",
                              monitored.size());
                  if (monitored.empty()) return next_round();
                  std::vector<std::string> ids;
                  ids.reserve(monitored.size());
                  for (const auto& s : monitored) ids.push_back(s.user_id);
                  // Bulk work paces itself within the rate budget: no deadline.
                  self->request(twitch, caf::infinite, caf::get_atom::value,
                                streams_atom::value, twitch_ticket::bulk(), ids)
                      .then(
                          [=](const std::vector<twitch::twitch_stream>& streams) {
                            std::unordered_map<std::string, const twitch::twitch_stream*>
                                live;
                            for (const auto& s : streams) live[s.user_id] = &s;
                            for (const auto& s : monitored) {
                              auto p = poll_report::about(s.user_id, s.username,
                                                          s.display_name);
                              p.initial = initial;
                              if (auto it = live.find(s.user_id); it != live.end()) {
                                p.live = true;
                                p.stream_id = it->second->id;
                                p.started_at = it->second->started_at;
                                p.stream_raw = it->second->raw;
                                if (initial)
                                  log->info("Initialized {}: live - {} - {} viewers",
                                            s.username, it->second->game_name,
                                            it->second->viewer_count);
                              } else if (initial) {
                                log->info("Initialized {}: offline", s.username);
                              }
                              self->send(supervisor, poll_atom::value, std::move(p));
                            }
                            log->debug("refresher: {} monitored, {} live",
                                       monitored.size(), streams.size());
                            next_round();
                          },
                          [=](const caf::error& err) {
                            log->warn(
                                "refresher: Get Streams failed, statuses left as they "
                                "are: {}",
                                to_query_result(err).detail);
                            next_round();
                          });
                },
                [=](const caf::error& err) {
                  log->error("refresher: reading streamers failed: {}",
                             self->system().render(err));
                  next_round();
                });
      },
  };
}

}  // namespace eventsubd
