#include "storage/event_log.hpp"

#include "core/json_codec.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace eventsubd::storage {

namespace {
constexpr std::string_view open_list = "{\"events\":[", close_list = "]}";
constexpr size_t min_capacity = 4096;
}  // namespace

void event_log::push(const event_record& e, size_t keep) {
  std::string json = to_json(e);
  make_room(json.size() + 1);
  head_ -= json.size() + 1;
  std::memcpy(buf_.get() + head_, json.data(), json.size());
  buf_[head_ + json.size()] = ',';
  ends_.push_front(head_ + json.size());
  while (ends_.size() > keep) ends_.pop_back();
  if (ends_.empty()) head_ = capacity_;  // all free again
}

void event_log::clear() {
  ends_.clear();
  buf_.reset();
  capacity_ = head_ = 0;
}

void event_log::make_room(size_t bytes) {
  if (head_ >= bytes) return;
  size_t kept = tail() - head_;
  size_t capacity = std::max(2 * (kept + bytes), min_capacity);
  // Not zeroed: every byte read is written first.
  auto fresh = std::make_unique_for_overwrite<char[]>(capacity);
  size_t fresh_head = capacity - kept;
  if (kept) std::memcpy(fresh.get() + fresh_head, buf_.get() + head_, kept);
  for (auto& end : ends_) end = end - head_ + fresh_head;
  buf_ = std::move(fresh);
  capacity_ = capacity;
  head_ = fresh_head;
}

std::string event_log::body(size_t limit) const {
  size_t n = std::min(limit, ends_.size());
  size_t slice = n ? ends_[n - 1] - head_ : 0;  // the newest n, commas between them
  std::string out;
  out.reserve(open_list.size() + slice + close_list.size());
  out += open_list;
  if (slice) out.append(buf_.get() + head_, slice);
  out += close_list;
  return out;
}

}  // namespace eventsubd::storage
