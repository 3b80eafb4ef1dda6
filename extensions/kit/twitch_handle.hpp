#pragma once

#include "actors/interfaces.hpp"
#include "extensions/kit/callback.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::ext {

using twitch_user = twitch::twitch_user;
using twitch_stream = twitch::twitch_stream;

/// Which of the Twitch scheduler's queues an extension's calls wait in. Never the
/// interactive one: an extension cannot hold up adds and removes.
enum class twitch_priority {
  background,       // bulk work, beside refreshes and reconciliation
  someone_waiting,  // lookup work, beside public status lookups; deadline 10 s
};

/// An extension's own share of Twitch calls: a token bucket of `per_minute` calls a
/// minute (EXT_<NAME>_TWITCH_PER_MINUTE). Shared by copies of its handle; thread-safe.
class call_budget {
 public:
  explicit call_budget(long per_minute);
  /// Takes `calls` tokens; otherwise how long until they are there (nothing taken).
  std::chrono::seconds take(long calls);

 private:
  std::mutex mutex_;
  double capacity_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_;
};

/// A rate-limited handle to Twitch (Helix) through the Twitch scheduler. Each call
/// answers `done` later, on the actor `self` that asked. Refusals (Twitch not
/// configured: unavailable; the extension's budget spent: too_many_requests with a
/// Retry-After) are answered at once. Cheap to copy.
class twitch_handle {
 public:
  twitch_handle() = default;  // Twitch not configured
  twitch_handle(twitch_actor scheduler, std::shared_ptr<call_budget> budget,
                twitch_priority priority = twitch_priority::background);

  /// False without Twitch credentials: every call answers unavailable.
  bool enabled() const { return static_cast<bool>(scheduler_); }
  /// The same handle (and budget) in another queue.
  twitch_handle with(twitch_priority priority) const;

  /// Users by lowercase login (Get Users); unknown logins are missing from the answer.
  /// One call of the budget per 100 logins.
  template <class Self>
  void users(Self* self, std::vector<std::string> logins,
             callback<std::vector<twitch_user>> done) const {
    ask(self, std::move(done), logins.size(), caf::get_atom::value, users_atom::value,
        std::move(logins));
  }

  /// The live streams of these user ids (Get Streams); offline ones are missing.
  template <class Self>
  void streams(Self* self, std::vector<std::string> user_ids,
               callback<std::vector<twitch_stream>> done) const {
    ask(self, std::move(done), user_ids.size(), caf::get_atom::value, streams_atom::value,
        std::move(user_ids));
  }

 private:
  /// A ticket for `ids` ids' worth of calls, or why not.
  result<twitch_ticket> ticket(size_t ids) const;

  template <class Self, class T, class Atom1, class Atom2, class Ids>
  void ask(Self* self, callback<T> done, size_t ids, Atom1 a1, Atom2 a2, Ids xs) const {
    auto t = ticket(ids);
    if (!t) return done(t.error());
    self->request(scheduler_, caf::infinite, a1, a2, std::move(*t), std::move(xs))
        .then([done](T& value) { done(std::move(value)); },
              [done](caf::error& err) { done(to_error_info(err, "Twitch")); });
  }

  twitch_actor scheduler_;
  std::shared_ptr<call_budget> budget_;
  twitch_priority priority_ = twitch_priority::background;
};

}  // namespace eventsubd::ext
