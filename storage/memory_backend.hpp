#pragma once

#include "storage/backend.hpp"

#include <deque>
#include <map>
#include <unordered_map>

namespace eventsubd::storage {

/// Keeps everything in process memory: the default, for a quick start and tests.
class memory_backend : public backend {
 public:
  std::string_view name() const override { return "memory"; }
  bool connected() override { return true; }
  result<void> put_streamer(const streamer_record& s) override;
  result<bool> remove_streamer(std::string_view username) override;
  result<std::vector<streamer_record>> load_streamers() override;
  result<void> put_status(const stream_status& s) override;
  result<std::vector<stream_status>> load_statuses() override;
  result<void> remove_status(std::string_view username) override;
  result<void> append_event(const event_record& e, size_t keep) override;
  result<std::vector<event_record>> load_events(size_t limit) override;
  result<void> mark_seen(std::string_view message_id, std::chrono::seconds ttl) override;
  result<std::vector<std::string>> load_seen() override;
  result<void> put_stream_memory(std::string_view user_id,
                                 const stream_memory& m) override;
  result<void> remove_stream_memory(std::string_view user_id) override;
  result<stream_memories> load_stream_memories() override;

 private:
  std::map<std::string, streamer_record, std::less<>> streamers_;
  std::map<std::string, stream_status, std::less<>> statuses_;
  std::deque<event_record> events_;                             // newest first
  std::map<std::string, stream_memory, std::less<>> memories_;  // by user id
  // Seen message ids: id -> expiry, plus the ids in the order they were marked, so
  // expired ones are dropped from the front without scanning everything.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> seen_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> seen_order_;
};

}  // namespace eventsubd::storage
