#pragma once

#include "actors/interfaces.hpp"
#include "extensions/kit/callback.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::ext {

/// Read access to what is stored, through typed requests to the storage actor (never
/// its write handlers). Each call answers `done` later, on the actor `self` that asked,
/// so `done` may touch that actor's state. Cheap to copy.
class storage_reader {
 public:
  storage_reader() = default;  // not connected: every read answers unavailable
  explicit storage_reader(storage_actor storage,
                          caf::timespan timeout = std::chrono::seconds(5))
      : storage_(std::move(storage)), timeout_(timeout) {}

  /// The stored status of `login` (lowercase); not_found when none is stored.
  template <class Self>
  void status(Self* self, const std::string& login, callback<stream_status> done) const {
    ask(self, std::move(done), caf::get_atom::value, status_atom::value, login);
  }

  /// Every monitored streamer.
  template <class Self>
  void streamers(Self* self, callback<std::vector<streamer_record>> done) const {
    ask(self, std::move(done), caf::get_atom::value, streamers_atom::value);
  }

  // History (past streams) is read here once storage keeps it.

 private:
  template <class Self, class T, class... Ts>
  void ask(Self* self, callback<T> done, Ts&&... xs) const {
    if (!storage_) return done(fail(errc::unavailable, "storage is not available"));
    self->request(storage_, timeout_, std::forward<Ts>(xs)...)
        .then([done](T& value) { done(std::move(value)); },
              [done](caf::error& err) { done(to_error_info(err, "storage")); });
  }

  storage_actor storage_;
  caf::timespan timeout_{std::chrono::seconds(5)};
};

}  // namespace eventsubd::ext
