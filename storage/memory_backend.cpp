#include "storage/memory_backend.hpp"

#include <algorithm>

namespace eventsubd::storage {

result<void> memory_backend::put_streamer(const streamer_record& s) {
  streamers_[s.username] = s;
  return {};
}

result<bool> memory_backend::remove_streamer(std::string_view username) {
  auto it = streamers_.find(username);
  if (it == streamers_.end()) return false;
  streamers_.erase(it);
  if (auto removed = remove_status(username); !removed) return removed.error();
  return true;
}

result<void> memory_backend::remove_status(std::string_view username) {
  if (auto st = statuses_.find(username); st != statuses_.end()) statuses_.erase(st);
  return {};
}

result<std::vector<streamer_record>> memory_backend::load_streamers() {
  std::vector<streamer_record> out;
  out.reserve(streamers_.size());
  for (const auto& [_, s] : streamers_) out.push_back(s);
  return out;
}

result<void> memory_backend::put_status(const stream_status& s) {
  statuses_[s.username] = s;
  return {};
}

result<std::vector<stream_status>> memory_backend::load_statuses() {
  std::vector<stream_status> out;
  out.reserve(statuses_.size());
  for (const auto& [_, s] : statuses_) out.push_back(s);
  return out;
}

result<void> memory_backend::append_event(const event_record& e, size_t keep) {
  // Idempotent like Redis's ZADD of the same member: an event appended again (a batch
  // or a journal replayed) is not added twice.
  auto same = [&e](const event_record& x) {
    return x.id == e.id && x.score == e.score && x.timestamp == e.timestamp &&
           x.event_type == e.event_type && x.broadcaster_id == e.broadcaster_id &&
           x.broadcaster_login == e.broadcaster_login &&
           x.broadcaster_name == e.broadcaster_name && x.data == e.data &&
           x.source == e.source;
  };
  if (std::any_of(events_.begin(), events_.end(), same)) return {};
  events_.push_front(e);
  while (events_.size() > keep) events_.pop_back();
  return {};
}

result<std::vector<event_record>> memory_backend::load_events(size_t limit) {
  return std::vector<event_record>(
      events_.begin(),
      events_.begin() + static_cast<std::ptrdiff_t>(std::min(limit, events_.size())));
}

result<void> memory_backend::mark_seen(std::string_view message_id,
                                       std::chrono::seconds ttl) {
  auto now = std::chrono::steady_clock::now();
  // Drop what expired at the front (ids marked with a longer TTL behind a shorter one
  // live on until they reach the front: harmless, they only stay remembered longer).
  while (!seen_order_.empty() && seen_order_.front().first <= now) {
    auto it = seen_.find(seen_order_.front().second);
    if (it != seen_.end() && it->second <= now) seen_.erase(it);
    seen_order_.pop_front();
  }
  auto expiry = now + ttl;
  if (seen_.try_emplace(std::string(message_id), expiry).second)  // NX
    seen_order_.emplace_back(expiry, std::string(message_id));
  return {};
}

result<std::vector<std::string>> memory_backend::load_seen() {
  std::vector<std::string> out;
  auto now = std::chrono::steady_clock::now();
  for (const auto& [id, expiry] : seen_)
    if (expiry > now) out.push_back(id);
  return out;
}

result<void> memory_backend::put_stream_memory(std::string_view user_id,
                                               const stream_memory& m) {
  memories_.insert_or_assign(std::string(user_id), m);
  return {};
}

result<void> memory_backend::remove_stream_memory(std::string_view user_id) {
  if (auto it = memories_.find(user_id); it != memories_.end()) memories_.erase(it);
  return {};
}

result<stream_memories> memory_backend::load_stream_memories() {
  return stream_memories(memories_.begin(), memories_.end());
}

}  // namespace eventsubd::storage
