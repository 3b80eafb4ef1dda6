#pragma once

#include "core/body.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace eventsubd::storage {

/// The few bodies asked for most recently, by key: at most `capacity`, the least
/// recently used dropped first, so memory stays bounded whatever keys clients ask for
/// (a sweep of every `/events` limit only rebuilds each body) while the one a dashboard
/// polls is served without rebuilding. Linear search: meant for a handful.
template <class Key>
class hot_bodies {
 public:
  explicit hot_bodies(size_t capacity) : capacity_(capacity) {}

  /// The body stored for `key` (now the most recently used), or null.
  body_ptr find(const Key& key) {
    auto it = std::find_if(items_.begin(), items_.end(),
                           [&](const auto& item) { return item.first == key; });
    if (it == items_.end()) return nullptr;
    std::rotate(items_.begin(), it, it + 1);
    return items_.front().second;
  }

  /// Stores `body` as the most recently used (the key must not be stored yet).
  void put(Key key, body_ptr body) {
    if (capacity_ == 0) return;
    if (items_.size() == capacity_) items_.pop_back();
    items_.insert(items_.begin(), {std::move(key), std::move(body)});
  }

  void clear() { items_.clear(); }
  size_t size() const { return items_.size(); }

 private:
  size_t capacity_;
  std::vector<std::pair<Key, body_ptr>> items_;  // most recently used first
};

}  // namespace eventsubd::storage
