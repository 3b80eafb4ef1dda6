#pragma once

#include "core/time.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace eventsubd::twitch {

/// The EventSub message ids seen recently, for deduplication. Each id is kept as the
/// first 128 bits of its SHA-256: 16 bytes in place and no allocation of its own,
/// instead of two heap copies of a 36-character UUID (a set entry and an expiry entry:
/// ~200 bytes per id, three allocations per delivery). Two different ids share a key
/// only by finding a SHA-256 prefix collision, and ids are only remembered once their
/// message's signature has been verified. Not thread-safe: one owner (the webhook
/// actor).
class seen_messages {
 public:
  seen_messages();
  ~seen_messages();
  seen_messages(const seen_messages&) = delete;
  seen_messages& operator=(const seen_messages&) = delete;

  /// What is kept of an id; computing it once serves a lookup and a later `remember`.
  using key = std::array<std::uint64_t, 2>;
  key key_of(std::string_view id) const;

  bool contains(const key& k) const { return seen_.count(k) > 0; }
  bool contains(std::string_view id) const { return contains(key_of(id)); }

  /// Remembers an id as seen at `at`; false when it already was.
  bool remember(const key& k, sys_time at);
  bool remember(std::string_view id, sys_time at) { return remember(key_of(id), at); }

  /// Forgets `id` (its change could not be stored, so a redelivery must be applied).
  void forget(std::string_view id);

  /// Forgets every id remembered before `horizon`; returns how many.
  std::size_t expire_before(sys_time horizon);

  std::size_t size() const { return seen_.size(); }

 private:
  struct key_hash {
    // The key is a slice of a cryptographic digest: any 64 bits of it are a good hash.
    std::size_t operator()(const key& k) const { return k[0]; }
  };
  struct digester;
  std::unique_ptr<digester> digester_;
  std::unordered_map<key, sys_time, key_hash> seen_;  // id -> when it was remembered
  std::deque<std::pair<sys_time, key>> order_;        // for expiry, oldest first
};

}  // namespace eventsubd::twitch
