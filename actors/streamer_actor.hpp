#pragma once

#include "actors/interfaces.hpp"
#include "core/stream_state.hpp"

#include <chrono>
#include <string>

namespace eventsubd {

/// Tuning of the polling side of a streamer actor.
struct streamer_tuning {
  int offline_after_misses = 2;  // consecutive polls without the stream
  /// No polling "offline" this soon after an online (Helix may not list it yet).
  std::chrono::seconds online_grace{300};
  std::chrono::seconds metadata_window{120};  // keep asking Helix for a new stream
  /// How long Helix may keep listing a stream after its offline (HELIX_LAG_WINDOW).
  std::chrono::seconds lag_window{300};
};

struct streamer_state {
  static inline const char* name = "streamer";
  streamer_state() = default;
  std::string user_id;
  stream_state_machine machine;
  stream_status current;  // the last status written (empty user_id: none yet)
  int misses = 0;         // consecutive polls that did not list the live stream
  std::chrono::steady_clock::time_point live_since{};
  bool recheck_pending = false;  // a lag-window re-check is scheduled
  streamer_tuning tuning;
};

/// One broadcaster:
///
///   unknown --online/poll live--> live --offline/2 missed polls--> offline --online-->
///   live
///
/// Restores its state machine from storage at start (reports wait until then), then
/// applies each report: duplicates and stale reports are answered without a write; a
/// real transition is stored (status, event and the machine's memory together),
/// committed, and published on the event bus, in that order, one at a time. After a
/// webhook online it asks the stream watcher for the stream's metadata (Helix lags
/// EventSub; the watcher batches such questions). Polls update metadata and correct
/// missed transitions, marked as coming from polling; a poll that lists a stream which
/// just ended is asked again, through the watcher, once Helix's lag window has passed.
streamer_actor::behavior_type streamer_fn(
    streamer_actor::stateful_pointer<streamer_state> self, const std::string& user_id,
    const storage_actor& storage, const event_bus_actor& bus,
    const stream_watcher_actor& watcher, streamer_tuning tuning);

}  // namespace eventsubd
