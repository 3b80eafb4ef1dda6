#pragma once

#include "core/model.hpp"
#include "core/stream_state.hpp"

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace eventsubd::storage {

// One durable change, as the storage actor queues it for its backend. Every operation is
// idempotent when replayed in order (a batch whose answer was lost is sent again whole).

/// Insert or replace a monitored streamer (keyed by username).
struct put_streamer_op {
  streamer_record streamer;
};
/// Remove a monitored streamer and its status.
struct remove_streamer_op {
  std::string username;
};
/// Insert or replace a status (keyed by username).
struct put_status_op {
  stream_status status;
};
/// Remove one status (a broadcaster's old login after a rename).
struct remove_status_op {
  std::string username;
};
/// Append an event and keep the newest `keep`.
struct append_event_op {
  event_record event;
  size_t keep = 0;
};
/// Remember an EventSub message id for `ttl`, so a redelivery after a restart is known.
struct mark_seen_op {
  std::string message_id;
  std::chrono::seconds ttl{0};
};

/// Insert or replace what a broadcaster's state machine remembers (keyed by user id).
struct put_stream_memory_op {
  std::string user_id;
  stream_memory memory;
};
/// Forget it (the broadcaster is no longer monitored).
struct remove_stream_memory_op {
  std::string user_id;
};

using write_op = std::variant<put_streamer_op, remove_streamer_op, put_status_op,
                              remove_status_op, append_event_op, mark_seen_op,
                              put_stream_memory_op, remove_stream_memory_op>;

}  // namespace eventsubd::storage
