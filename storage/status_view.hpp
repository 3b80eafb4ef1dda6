#pragma once

#include "core/body.hpp"

#include <array>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace eventsubd::storage {

/// The `GET /streamers/{login}/status` bodies, published by the storage actor so HTTP
/// threads answer the hottest read without a round trip through two mailboxes (the
/// benchmark showed those hops, not the work, bounding status reads). One writer (the
/// storage actor, through its read model), any number of readers.
///
/// The actor updates the view before it acknowledges the write, so a read that starts
/// after an acknowledged write sees it. Bodies are immutable and shared, never copied.
/// A login missing here is asked of the storage actor as before (it may not be loaded
/// yet, or the status must come from Twitch).
class status_view {
 public:
  /// The published body, or null.
  body_ptr find(std::string_view login) const;
  void put(const std::string& login, body_ptr body);
  void remove(std::string_view login);
  void clear();

 private:
  struct hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  // Sharded so a reader rarely meets the writer on the same lock.
  struct shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, body_ptr, hash, std::equal_to<>> bodies;
  };
  static constexpr size_t shard_count = 16;
  shard& shard_for(std::string_view login) const;

  mutable std::array<shard, shard_count> shards_;
};

}  // namespace eventsubd::storage
