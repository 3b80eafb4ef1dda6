#pragma once

#include "core/model.hpp"
#include "core/time.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace eventsubd {

/// What one online/offline report says, from a webhook or a poll.
struct stream_observation {
  bool online = false;
  std::string stream_id;  // the stream's id (online only; may be empty)
  sys_time started_at{};  // online: the stream's started_at (epoch when unknown)
  /// Webhook: Twitch's message timestamp. Poll: when we saw it (our clock).
  sys_time sent_at{};
  change_source source = change_source::webhook;
};

/// Whether an observation changes the state.
enum class stream_verdict {
  apply,          // a real transition: record it and update the status
  duplicate,      // already the state (a resend, possibly under a new message id)
  stale,          // about a stream that is over, or sent before the current one began
  recheck_later,  // a poll lists a stream that just ended: Helix lag, or a wrong
                  // offline; ask again once `lag_window` has passed (see recheck_at)
};

/// How a stream stopped being the current one.
enum class end_cause {
  offline_event,  // a stream.offline notification
  replaced,       // an online for a newer stream
  polling,        // polls stopped listing it
};

/// A stream that is over, remembered so that late or repeated news of it change nothing.
struct ended_stream {
  std::string id;
  end_cause cause = end_cause::offline_event;
  /// offline_event: Twitch's message time of the offline; otherwise our clock.
  sys_time at{};
};

/// Everything the state machine knows: persisted with each transition, so a restart
/// decides the same way (`twitch:recent_streams` in Redis).
struct stream_memory {
  enum class phase { unknown, offline, live };
  phase current = phase::unknown;
  std::string live_id;    // the live stream's id (may be empty for an id-less online)
  sys_time started_at{};  // the live stream's started_at
  /// Twitch's message time of the webhook online that made it live; epoch when a poll
  /// did (our clock is not Twitch's, so it is not compared).
  sys_time online_sent_at{};
  // Oldest first, at most `ended_kept`. A vector: an empty deque allocates ~600 bytes,
  // twice per broadcaster (its actor and the read model), ~12 MB for 10,000.
  std::vector<ended_stream> ended;

  static constexpr size_t ended_kept = 16;
  bool operator==(const stream_memory&) const = default;
};

bool operator==(const ended_stream& a, const ended_stream& b);

/// The offline <-> live state machine of one broadcaster, decided by stream identity:
///
///   unknown --online--> live --offline--> offline --online (new id)--> live ...
///   unknown --offline-> offline           live --online (new id)--> live (replaced)
///
/// - An online for a stream id never applied before is a new stream: applied, whatever
///   the timestamps (a restart within the second, or a late offline, must not hide it).
/// - A webhook online for a stream that is over is stale: it never flips back to live.
/// - An offline carries no stream id: it ends the stream current when it is applied,
///   unless Twitch sent it before it sent that stream's online (same clock: then it is
///   about an earlier stream), or, for a stream a poll made live, before it started.
/// - A poll listing a stream that an offline ended is Helix lag within `lag_window` of
///   the offline, and proof the offline was about an earlier stream when the stream
///   started after the offline was sent or is still listed after the window.
/// Pure: no I/O; the caller passes the clock.
class stream_state_machine {
 public:
  using phase = stream_memory::phase;

  explicit stream_state_machine(
      std::chrono::seconds lag_window = std::chrono::seconds(180))
      : lag_window_(lag_window) {}

  /// Starts from persisted memory (after a restart).
  void restore(stream_memory m) { memory_ = std::move(m); }

  /// Starts from a stored status alone (data written before memories were kept).
  void restore_from_status(bool live, std::string stream_id, sys_time started_at);

  /// Decides without changing anything. `at` is now (our clock).
  stream_verdict consider(const stream_observation& obs, sys_time at) const;

  /// Applies an observation `consider` said `apply` to.
  void commit(const stream_observation& obs, sys_time at);

  /// When a `recheck_later` observation of `stream_id` can be decided.
  sys_time recheck_at(const std::string& stream_id) const;

  phase current_phase() const { return memory_.current; }
  const std::string& stream_id() const { return memory_.live_id; }
  const stream_memory& memory() const { return memory_; }

 private:
  stream_verdict consider_online(const stream_observation& obs, sys_time at) const;
  stream_verdict consider_offline(const stream_observation& obs) const;
  const ended_stream* find_ended(const std::string& id) const;
  void end_current(end_cause cause, sys_time at);

  std::chrono::seconds lag_window_;
  stream_memory memory_;
};

}  // namespace eventsubd
