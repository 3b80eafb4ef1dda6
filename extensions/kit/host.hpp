#pragma once

#include "actors/interfaces.hpp"
#include "core/config.hpp"
#include "extensions/kit/kit.hpp"

#include <caf/actor_system.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

// The server's side of the kit: checks EXTENSIONS, builds each extension's context and
// starts it. Used by app/ (and the test host), never by extensions.
namespace eventsubd::ext {

/// The server's actors every extension context is built from.
struct host_services {
  caf::actor_system* system = nullptr;
  event_bus_actor bus;
  storage_actor storage;
  twitch_actor twitch;  // null without Twitch credentials
};

/// The actors the started extensions spawned, stopped together at shutdown.
class running_extensions {
 public:
  running_extensions() = default;
  explicit running_extensions(std::shared_ptr<started_actors> started)
      : started_(std::move(started)) {}
  /// Sends every one an exit and forgets them (idempotent).
  void stop() {
    if (started_) started_->stop_all();
  }
  size_t actor_count() const { return started_ ? started_->size() : 0; }

 private:
  std::shared_ptr<started_actors> started_;
};

/// Calls an extension's Twitch budget may spend a minute unless its
/// EXT_<NAME>_TWITCH_PER_MINUTE says otherwise.
inline constexpr long default_twitch_per_minute = 60;

/// The configuration error for a name in `enabled` that `available` lacks (names
/// EXTENSIONS and lists what this build has); empty when all are known.
std::string extensions_problem(const std::vector<extension_info>& available,
                               const std::vector<std::string>& enabled);

/// The --help section listing this build's extensions.
std::string extensions_help(const std::vector<extension_info>& available);

/// The context of extension `name`: its settings out of `all_settings` (every EXT_*
/// variable), its Twitch budget, logger and metrics; an error names a bad setting.
result<context> make_context(const std::string& name,
                             const std::map<std::string, std::string>& all_settings,
                             const host_services& services,
                             std::shared_ptr<started_actors> started);

/// Starts every extension EXTENSIONS names, in its order. The first that fails to start
/// is the error (whatever was started is stopped); names must have been checked with
/// extensions_problem. Warns about EXT_* variables no enabled extension reads.
result<running_extensions> start_extensions(const std::vector<extension_info>& available,
                                            const config& cfg,
                                            const host_services& services);

}  // namespace eventsubd::ext
