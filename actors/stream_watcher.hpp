#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <map>
#include <string>
#include <utility>

namespace eventsubd {

struct stream_watcher_config {
  /// Watches that come due within this window go to Helix together.
  std::chrono::milliseconds batch_window{250};
  std::chrono::seconds max_backoff{30};    // between attempts for one watch
  std::chrono::seconds error_backoff{10};  // after a failed Get Streams round
  int max_recheck_attempts = 6;            // a re-check Helix never answers is dropped
};

struct stream_watcher_state {
  static inline const char* name = "stream_watcher";
  stream_watcher_state() = default;
  // Times are read from the actor clock: steady_clock in production, the test
  // coordinator's clock in deterministic tests.
  using clock = std::chrono::steady_clock;
  struct entry {
    stream_watch watch;
    int attempt = 0;
    clock::time_point due;
    uint64_t seq = 0;  // tells a replaced watch from the one a round asked about
  };
  stream_watcher_config cfg;
  std::map<std::pair<std::string, watch_purpose>, entry> pending;  // by broadcaster
  uint64_t next_seq = 0;
  bool fetching = false;                                   // a Get Streams round is out
  clock::time_point armed_for = clock::time_point::max();  // the pending tick's time
};

/// Batches what streamer actors want to know from Get Streams: after a `stream.online`
/// the new stream's metadata (asked from 2 s on, with backoff, until Helix lists it or
/// the metadata window ends), and after Helix's lag window whether an ended stream is
/// still listed. Pending user ids are collected for `batch_window` and asked in one
/// bulk request (100 ids per Helix call), so a burst of N go-lives costs about
/// ceil(N/100) calls per round, retries included.
stream_watcher_actor::behavior_type stream_watcher_fn(
    stream_watcher_actor::stateful_pointer<stream_watcher_state> self,
    const twitch_actor& twitch, stream_watcher_config cfg);

}  // namespace eventsubd
