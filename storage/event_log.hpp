#pragma once

#include "core/model.hpp"

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace eventsubd::storage {

/// The kept events, newest first, each serialized once into one buffer: the
/// `{"events":[...]}` body for any limit is one copy of one slice of it, so memory does
/// not depend on which limits clients ask for (issue 14, item 5).
///
/// The buffer fills from its end towards its start: a new event is written just before
/// the newest one, so the newest n events are always one contiguous slice. When the
/// front is full, the kept events move into a new buffer twice their size, so appends
/// cost O(1) amortized and the buffer stays under about twice the kept events. Not
/// thread-safe.
class event_log {
 public:
  /// Adds the newest event; drops the oldest ones beyond `keep`.
  void push(const event_record& e, size_t keep);
  void clear();

  size_t size() const { return ends_.size(); }
  /// `{"events":[...]}` with the newest `limit` events.
  std::string body(size_t limit) const;
  /// Bytes allocated for the buffer (kept events and free room).
  size_t capacity() const { return capacity_; }

 private:
  /// Ensures `bytes` fit before head_.
  void make_room(size_t bytes);
  /// Where the oldest kept event's comma ends (capacity_ when empty).
  size_t tail() const { return ends_.empty() ? capacity_ : ends_.back() + 1; }

  std::unique_ptr<char[]> buf_;  // [head_, tail()): "newest,...,oldest,"
  size_t capacity_ = 0;
  size_t head_ = 0;
  std::deque<size_t> ends_;  // newest first: where each event's JSON ends (its comma)
};

}  // namespace eventsubd::storage
