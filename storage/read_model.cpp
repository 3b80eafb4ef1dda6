#include "storage/read_model.hpp"

#include "core/json_codec.hpp"
#include "core/time.hpp"

#include <algorithm>

namespace eventsubd::storage {

void read_model::load(std::vector<streamer_record> streamers,
                      std::vector<stream_status> statuses,
                      const std::vector<event_record>& events, size_t keep) {
  statuses_.clear();
  if (view_) view_->clear();
  login_by_user_id_.clear();
  streamers_.clear();
  events_.clear();
  live_count_ = 0;
  live_body_.reset();
  streamers_body_.reset();
  events_bodies_.clear();
  for (auto& s : streamers) streamers_.emplace(s.username, std::move(s));
  // Oldest first, so that when old data holds two logins of one user id (a rename), the
  // user id ends up pointing at the most recently updated one.
  std::stable_sort(statuses.begin(), statuses.end(), [](const auto& a, const auto& b) {
    return parse_rfc3339(a.last_updated).value_or(sys_time{}) <
           parse_rfc3339(b.last_updated).value_or(sys_time{});
  });
  for (auto& s : statuses) put_status(std::move(s));
  for (size_t i = std::min(keep, events.size()); i-- > 0;) events_.push(events[i], keep);
}

void read_model::load_memories(
    std::vector<std::pair<std::string, stream_memory>> memories) {
  memories_.clear();
  for (auto& [user_id, m] : memories) memories_.insert_or_assign(user_id, std::move(m));
}

void read_model::publish_to(std::shared_ptr<status_view> view) {
  view_ = std::move(view);
  if (!view_) return;
  view_->clear();
  for (const auto& [login, entry] : statuses_) view_->put(login, entry.body);
}

body_ptr read_model::status_body(std::string_view login) const {
  auto it = statuses_.find(login);
  return it == statuses_.end() ? nullptr : it->second.body;
}

body_ptr read_model::live_body() {
  if (live_body_) return live_body_;
  std::string out = "{\"live_streams\":[";
  bool first = true;
  for (const auto& [_, entry] : statuses_) {
    if (!entry.status.is_live) continue;
    if (!first) out += ',';
    first = false;
    out += to_json(entry.status);
  }
  out += "],\"count\":";
  out += std::to_string(live_count_);
  out += '}';
  live_body_ = make_body(std::move(out));
  return live_body_;
}

body_ptr read_model::events_body(size_t limit) {
  // Every limit from the number of events up gives the same body: one key for them.
  limit = std::min(limit, events_.size());
  if (auto hot = events_bodies_.find(limit)) return hot;
  auto body = make_body(events_.body(limit));
  events_bodies_.put(limit, body);
  return body;
}

body_ptr read_model::streamers_body() {
  if (streamers_body_) return streamers_body_;
  std::string out = "[";
  bool first = true;
  for (const auto& [_, s] : streamers_) {
    if (!first) out += ',';
    first = false;
    out += to_json(s);
  }
  out += ']';
  streamers_body_ = make_body(std::move(out));
  return streamers_body_;
}

body_ptr read_model::streamer_body(std::string_view login) const {
  auto it = streamers_.find(login);
  return it == streamers_.end() ? nullptr : make_body(to_json(it->second));
}

const stream_status* read_model::status(std::string_view login) const {
  auto it = statuses_.find(login);
  return it == statuses_.end() ? nullptr : &it->second.status;
}

const stream_status* read_model::status_by_user_id(const std::string& user_id) const {
  auto id = login_by_user_id_.find(user_id);
  if (id == login_by_user_id_.end()) return nullptr;
  auto it = statuses_.find(id->second);
  return it == statuses_.end() ? nullptr : &it->second.status;
}

const stream_memory* read_model::memory_by_user_id(const std::string& user_id) const {
  auto it = memories_.find(user_id);
  return it == memories_.end() ? nullptr : &it->second;
}

const streamer_record* read_model::streamer(std::string_view login) const {
  auto it = streamers_.find(login);
  return it == streamers_.end() ? nullptr : &it->second;
}

std::vector<streamer_record> read_model::streamers() const {
  std::vector<streamer_record> out;
  out.reserve(streamers_.size());
  for (const auto& [_, s] : streamers_) out.push_back(s);
  return out;
}

std::vector<streamer_record> read_model::poll_targets() const {
  auto out = streamers();
  for (const auto& [login, entry] : statuses_) {
    const auto& s = entry.status;
    if (!s.is_live || streamers_.count(login)) continue;
    out.push_back({s.user_id, s.username, s.display_name, {}, {}, false});
  }
  return out;
}

void read_model::put_status(stream_status status) {
  auto [it, inserted] = statuses_.try_emplace(status.username);
  bool was_live = !inserted && it->second.status.is_live;
  if (!inserted && it->second.status.user_id != status.user_id) {
    // The login now belongs to another user: drop the old user's index entry, but only
    // if it still points here (that user may have moved to a new login already).
    auto old = login_by_user_id_.find(it->second.status.user_id);
    if (old != login_by_user_id_.end() && old->second == status.username)
      login_by_user_id_.erase(old);
  }
  it->second.status = std::move(status);
  const auto& s = it->second.status;
  it->second.body = make_body(to_json(s, "storage"));
  if (view_) view_->put(s.username, it->second.body);
  if (!s.user_id.empty()) login_by_user_id_[s.user_id] = s.username;
  live_count_ += s.is_live ? 1 : 0;
  live_count_ -= was_live ? 1 : 0;
  if (was_live || s.is_live) live_body_.reset();
}

void read_model::add_event(const event_record& e, size_t keep) {
  events_.push(e, keep);
  events_bodies_.clear();
}

void read_model::put_streamer(const streamer_record& s) {
  streamers_[s.username] = s;
  streamers_body_.reset();
}

void read_model::remove_status(std::string_view login) {
  auto it = statuses_.find(login);
  if (it == statuses_.end()) return;
  if (it->second.status.is_live) {
    --live_count_;
    live_body_.reset();
  }
  auto id = login_by_user_id_.find(it->second.status.user_id);
  if (id != login_by_user_id_.end() && id->second == login) login_by_user_id_.erase(id);
  if (view_) view_->remove(login);
  statuses_.erase(it);
}

void read_model::put_memory(const std::string& user_id, stream_memory m) {
  memories_.insert_or_assign(user_id, std::move(m));
}

void read_model::remove_memory(const std::string& user_id) {
  memories_.erase(user_id);
}

bool read_model::remove_streamer(std::string_view login) {
  auto it = streamers_.find(login);
  if (it == streamers_.end()) return false;
  streamers_.erase(it);
  streamers_body_.reset();
  remove_status(login);
  return true;
}

}  // namespace eventsubd::storage
