#pragma once

#include "core/config.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "storage/write_op.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::storage {

/// Durable state behind the storage actor, which is its only user (single writer, through
/// the storage writer actor). Implementations: memory (process lifetime) and Redis. Every
/// call is synchronous; a backend that can block is driven from a detached actor.
/// Every call returns a `result` (core/result.hpp): a failure is errc::unavailable with
/// the reason in its detail. One parameterized test suite
/// (tests/storage/backend_suite_test.cpp) runs against each.
/// Every remembered state machine, by broadcaster user id.
using stream_memories = std::vector<std::pair<std::string, stream_memory>>;

class backend {
 public:
  virtual ~backend() = default;

  /// Short name for logs and /health (e.g. "memory").
  virtual std::string_view name() const = 0;

  /// True while the backend can take writes (memory: always).
  virtual bool connected() = 0;

  /// Like `connected`, with the reason when it is not.
  virtual result<void> ping() {
    if (connected()) return {};
    return fail(errc::unavailable, std::string(name()) + " is unreachable");
  }

  /// True when calls can block on I/O (Redis): its owner must run on its own thread.
  virtual bool blocking() const { return false; }

  /// True when the data outlives the process (Redis; memory: no).
  virtual bool durable() const { return false; }

  /// Inserts or replaces a streamer (keyed by username).
  virtual result<void> put_streamer(const streamer_record& s) = 0;

  /// Removes a monitored streamer and its status. True when it was there; when it was
  /// not, nothing changes (a status stored under that login stays).
  virtual result<bool> remove_streamer(std::string_view username) = 0;

  virtual result<std::vector<streamer_record>> load_streamers() = 0;

  /// Inserts or replaces a status (keyed by username).
  virtual result<void> put_status(const stream_status& s) = 0;

  virtual result<std::vector<stream_status>> load_statuses() = 0;

  /// Removes one status (e.g. the one under a broadcaster's old login after a rename).
  virtual result<void> remove_status(std::string_view username) = 0;

  /// Appends an event and trims to the newest `keep` events.
  virtual result<void> append_event(const event_record& e, size_t keep) = 0;

  /// Up to `limit` events, newest first.
  virtual result<std::vector<event_record>> load_events(size_t limit) = 0;

  /// Remembers an EventSub message id for `ttl` (Redis: `SET NX EX`).
  virtual result<void> mark_seen(std::string_view message_id,
                                 std::chrono::seconds ttl) = 0;

  /// The message ids remembered and not yet expired.
  virtual result<std::vector<std::string>> load_seen() = 0;

  /// Inserts or replaces what a broadcaster's state machine remembers (by user id).
  virtual result<void> put_stream_memory(std::string_view user_id,
                                         const stream_memory& m) = 0;

  virtual result<void> remove_stream_memory(std::string_view user_id) = 0;

  /// Every remembered state machine, by user id.
  virtual result<stream_memories> load_stream_memories() = 0;

  /// Applies `ops` in order. On failure some of them may have been applied; as every op
  /// is idempotent, the caller sends the whole batch again. The default runs them one by
  /// one; Redis pipelines them in one round trip.
  virtual result<void> apply(const std::vector<write_op>& ops);
};

/// How many events are kept (the old service's limit).
inline constexpr size_t events_kept = 1000;

/// The backend the configuration asks for, or an error (errc::unprocessable) whose
/// detail names the variable to fix.
result<std::unique_ptr<backend>> make_backend(const config& cfg);

}  // namespace eventsubd::storage
