#pragma once

#include "actors/interfaces.hpp"

#include <memory>
#include <vector>

namespace eventsubd::testing {

/// A streamer actor stand-in: keeps every watch result it is sent.
inline streamer_actor::behavior_type recording_streamer(
    streamer_actor::pointer, std::shared_ptr<std::vector<watch_result>> results) {
  return {
      [](observe_atom, const stream_report&, const reply_once&) {},
      [](poll_atom, const poll_report&) {},
      [results](watched_atom, const watch_result& r) { results->push_back(r); },
  };
}

}  // namespace eventsubd::testing
