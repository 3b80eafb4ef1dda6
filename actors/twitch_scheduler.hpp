#pragma once

#include "actors/interfaces.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

namespace eventsubd {

struct twitch_scheduler_config {
  /// Requests waiting per work class at most (interactive, lookup, bulk); beyond, 503.
  std::array<size_t, 3> queue_limits{100, 200, 1000};
  std::chrono::seconds full_retry_after{5};  // Retry-After of that 503
  std::chrono::seconds validate_every{3600};
};

/// One request waiting for a worker of its class.
struct twitch_job {
  twitch_ticket ticket;
  /// Sends the request to a worker; `done` runs once the worker has answered.
  std::function<void(const helix_worker_actor&, std::function<void()> done)> run;
  /// Answers the requester without asking Twitch (dropped, or shutting down).
  std::function<void(caf::error)> refuse;
};

struct twitch_scheduler_state {
  static inline const char* name = "twitch_scheduler";
  twitch_scheduler_state() = default;
  struct worker_slot {
    twitch::work_class cls;
    helix_worker_actor worker;
    bool busy = false;
    /// Answers the request the worker runs without it (at shutdown); empty when idle.
    std::function<void(caf::error)> refuse_running;
  };
  twitch_scheduler_config cfg;
  std::vector<worker_slot> workers;
  std::array<std::deque<twitch_job>, 3> queues;  // by work class
};

/// Schedules Twitch work by who is waiting (see twitch_actor). Each worker has a fixed
/// class: a request waits for an idle worker of its class, in arrival order, so a flood
/// of public lookups or a long reconciliation never holds up an add (the shared rate
/// budget also keeps a reserve for interactive work). At dispatch, a request whose
/// deadline passed or whose requester went away is answered without asking Twitch. At
/// shutdown every request is answered at once, those the workers run too (they cancel
/// them; their answers would come to an actor that is gone).
twitch_actor::behavior_type twitch_scheduler_fn(
    twitch_actor::stateful_pointer<twitch_scheduler_state> self,
    twitch_scheduler_config cfg,
    std::vector<std::pair<twitch::work_class, helix_worker_actor>> workers);

}  // namespace eventsubd
