#pragma once

#include "core/body.hpp"
#include "core/model.hpp"
#include "core/stream_state.hpp"
#include "storage/event_log.hpp"
#include "storage/hot_bodies.hpp"
#include "storage/status_view.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eventsubd::storage {

/// The state the storage actor serves reads from, with every JSON body cached until the
/// state it shows changes (a write invalidates exactly the bodies it affects), except
/// event lists: any limit is cut from one serialized copy of the events, and only the
/// few most recently asked for are kept. Not thread-safe: owned by the storage actor.
class read_model {
 public:
  /// Replaces everything (start-up load). `events` newest first.
  void load(std::vector<streamer_record> streamers, std::vector<stream_status> statuses,
            const std::vector<event_record>& events, size_t keep);

  /// Replaces the state machines' memories (start-up load), by user id.
  void load_memories(std::vector<std::pair<std::string, stream_memory>> memories);

  /// Mirrors every status body into `view` from now on, for readers on other threads.
  void publish_to(std::shared_ptr<status_view> view);

  // --- queries (bodies are shared, never copied) ---

  /// `GET /streamers/{login}/status` body (with `"source": "storage"`), or null.
  body_ptr status_body(std::string_view login) const;
  /// `GET /streams/live` body.
  body_ptr live_body();
  /// `GET /events?limit=N` body.
  body_ptr events_body(size_t limit);
  /// How many event bodies are cached (at most `hot_events_bodies`).
  size_t cached_events_bodies() const { return events_bodies_.size(); }
  /// Enough for the few limits that dashboards poll; a sweep of every limit only
  /// rebuilds (each miss is one copy of one slice, at most ~1 MB for 1,000 events).
  static constexpr size_t hot_events_bodies = 4;
  /// `GET /streamers` body.
  body_ptr streamers_body();
  /// One monitored streamer's record as JSON (built when asked, not cached), or null
  /// when `login` is not monitored.
  body_ptr streamer_body(std::string_view login) const;

  /// The stored status of a login, or null.
  const stream_status* status(std::string_view login) const;
  const stream_status* status_by_user_id(const std::string& user_id) const;
  /// What a broadcaster's state machine remembers, or null.
  const stream_memory* memory_by_user_id(const std::string& user_id) const;
  const streamer_record* streamer(std::string_view login) const;
  std::vector<streamer_record> streamers() const;
  /// Monitored streamers, then every live status of a broadcaster not monitored (as a
  /// record with its id, login and display name).
  std::vector<streamer_record> poll_targets() const;
  size_t live_count() const { return live_count_; }
  size_t streamer_count() const { return streamers_.size(); }
  size_t status_count() const { return statuses_.size(); }
  size_t event_count() const { return events_.size(); }

  // --- writes ---

  void put_status(stream_status status);
  void add_event(const event_record& e, size_t keep);
  void put_streamer(const streamer_record& s);
  /// Removes a streamer and its status; false (and no change) when it was not monitored.
  bool remove_streamer(std::string_view login);
  /// Removes one status.
  void remove_status(std::string_view login);
  void put_memory(const std::string& user_id, stream_memory m);
  void remove_memory(const std::string& user_id);

 private:
  struct status_entry {
    stream_status status;
    body_ptr body;  // with "source": "storage"
  };

  std::map<std::string, status_entry, std::less<>> statuses_;  // by login, sorted
  std::unordered_map<std::string, std::string> login_by_user_id_;
  std::map<std::string, streamer_record, std::less<>> streamers_;
  event_log events_;
  std::unordered_map<std::string, stream_memory> memories_;  // by user id
  size_t live_count_ = 0;
  std::shared_ptr<status_view> view_;  // may be null

  body_ptr live_body_;                                   // null: rebuild on next read
  body_ptr streamers_body_;                              // null: rebuild on next read
  hot_bodies<size_t> events_bodies_{hot_events_bodies};  // by limit; cleared on append
};

}  // namespace eventsubd::storage
