#pragma once

#include "actors/helix_worker.hpp"
#include "actors/interfaces.hpp"
#include "core/config.hpp"

#include <caf/actor_system.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd {

/// Every actor of the Twitch side, spawned only when Twitch credentials are set.
struct twitch_side {
  std::vector<helix_worker_actor> workers;  // detached, one helix_client each
  twitch_actor scheduler;
  stream_watcher_actor watcher;
  refresher_actor refresher;
  subscription_manager_actor manager;
  status_lookup_actor lookup;

  /// Stops them all and releases every handle (a detached actor's handle outliving
  /// the actor system would hang its destructor).
  void stop();
};

/// The workers' settings from the configuration, or an error naming the variable.
std::string make_worker_config(const config& cfg,
                               std::shared_ptr<std::atomic<bool>> stopping,
                               helix_worker_config& out);

/// The workers (two interactive, one lookup, two bulk, each on its own thread, sharing
/// one app token and one rate budget), the scheduler over them and the stream watcher.
void start_twitch_work(caf::actor_system& sys, const helix_worker_config& worker_cfg,
                       twitch_side& out);

/// The actors that use them: refresher, subscription manager, status lookup.
void start_twitch_users(caf::actor_system& sys, const config& cfg,
                        const storage_actor& storage,
                        const streamer_supervisor_actor& supervisor,
                        std::shared_ptr<std::atomic<bool>> started, twitch_side& out);

}  // namespace eventsubd
