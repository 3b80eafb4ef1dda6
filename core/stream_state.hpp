#pragma once

#include "core/time.hpp"

#include <deque>
#include <string>

namespace eventsubd {

/// What one online/offline report says, from a webhook or a poll.
struct stream_observation {
  bool online = false;
  std::string stream_id;  // the stream's id (online only; may be empty)
  sys_time event_time;    // online: started_at; offline: Twitch's message time
};

/// Whether an observation changes the state.
enum class stream_verdict {
  apply,      // a real transition: record it and update the status
  duplicate,  // already the state (a resend, possibly under a new message id)
  stale,      // older than the transition we already applied
};

/// The offline <-> live state machine of one broadcaster.
///
///   unknown --online--> live --offline--> offline --online--> live ...
///   unknown --offline-> offline
///
/// Idempotent and ordered by Twitch time: an online for a stream id already seen (live or
/// ended) is a duplicate; an online that started before the last applied offline, or an
/// offline sent before the current stream started, is stale. Pure: no I/O, no clock.
class stream_state_machine {
 public:
  enum class phase { unknown, offline, live };

  /// Starts from a stored status (after a restart).
  void restore(bool live, std::string stream_id, sys_time since);

  /// Decides without changing anything.
  stream_verdict consider(const stream_observation& obs) const;

  /// Applies an observation `consider` said `apply` to.
  void commit(const stream_observation& obs);

  phase current_phase() const { return phase_; }
  const std::string& stream_id() const { return stream_id_; }
  /// Twitch time of the last applied transition (epoch when unknown).
  sys_time last_transition() const { return last_transition_; }

 private:
  static constexpr size_t ended_ids_kept = 8;
  bool ended(const std::string& id) const;

  phase phase_ = phase::unknown;
  std::string stream_id_;              // the live stream's id
  sys_time last_transition_{};         // Twitch time of the last applied transition
  std::deque<std::string> ended_ids_;  // recent stream ids that went offline
};

}  // namespace eventsubd
