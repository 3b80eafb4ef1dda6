#pragma once

#include "actors/interfaces.hpp"
#include "extensions/kit/metrics_registry.hpp"
#include "extensions/kit/settings.hpp"
#include "extensions/kit/storage_reader.hpp"
#include "extensions/kit/twitch_handle.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <spdlog/logger.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::ext {

/// An extension's listener: it receives every applied `stream_change` (online, offline,
/// metadata) after it is stored.
using listener_actor = stream_listener_actor;

/// The actors extensions started, stopped together at shutdown. Thread-safe.
class started_actors {
 public:
  void add(caf::actor a);
  /// Sends each an exit (user_shutdown) and forgets them.
  void stop_all();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<caf::actor> actors_;
};

/// What an extension is started with, and may keep: copies share everything. Every
/// member is safe to use from any of the extension's actors.
class context {
 public:
  /// Filled by the host (extensions/kit/host.cpp, or the test host).
  struct parts {
    std::string name;
    ext::settings settings;
    storage_reader storage;
    twitch_handle twitch;
    std::shared_ptr<spdlog::logger> log;
    metrics_registry metrics;
    caf::actor_system* system = nullptr;
    event_bus_actor bus;
    std::shared_ptr<started_actors> started;
  };
  explicit context(parts p) : p_(std::make_shared<const parts>(std::move(p))) {}

  /// The extension's name, as in EXTENSIONS.
  const std::string& name() const { return p_->name; }
  /// Its own settings (EXT_<NAME>_<KEY>).
  const ext::settings& settings() const { return p_->settings; }
  /// Read access to statuses and streamers.
  const storage_reader& storage() const { return p_->storage; }
  /// Twitch, rate limited, in the background queue unless asked otherwise.
  twitch_handle twitch(twitch_priority p = twitch_priority::background) const {
    return p_->twitch.with(p);
  }
  /// Its logger, named after it.
  const std::shared_ptr<spdlog::logger>& log() const { return p_->log; }
  /// Its metrics on GET /metrics.
  const metrics_registry& metrics() const { return p_->metrics; }
  caf::actor_system& system() const { return *p_->system; }

  /// Spawns a listener (`fun` takes listener_actor::pointer or ::stateful_pointer<S>,
  /// then `xs`), subscribes it to the event bus and stops it at shutdown.
  template <class F, class... Ts>
  listener_actor spawn_listener(F fun, Ts&&... xs) const {
    listener_actor listener = system().spawn(fun, std::forward<Ts>(xs)...);
    subscribe(listener);
    return listener;
  }

  /// Spawns any other actor of the extension (e.g. `caf::detached` for blocking work),
  /// stopped at shutdown.
  template <caf::spawn_options Os = caf::no_spawn_options, class F, class... Ts>
  auto spawn(F fun, Ts&&... xs) const {
    auto handle = system().template spawn<Os>(fun, std::forward<Ts>(xs)...);
    p_->started->add(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  /// Subscribes a listener to the event bus (dropped from it when it terminates) and
  /// stops it at shutdown; spawn_listener does this itself.
  void subscribe(const listener_actor& listener) const;

 private:
  std::shared_ptr<const parts> p_;
};

}  // namespace eventsubd::ext
