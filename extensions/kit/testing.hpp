#pragma once

#include "extensions/kit/host.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

// Runs a registered extension as the server would, for its test: a real actor system,
// the event bus, the storage actor over memory storage, and optionally a stand-in for
// the Twitch scheduler. Extension tests include this (and gtest) only.
namespace eventsubd::ext::testing {

class capture_sink;

class test_host {
 public:
  /// `variables`: EXT_* settings, by variable; `twitch`: answers the Twitch handle's
  /// calls (null: Twitch not configured).
  explicit test_host(std::map<std::string, std::string> variables = {},
                     twitch_actor twitch = {});
  ~test_host();
  test_host(const test_host&) = delete;
  test_host& operator=(const test_host&) = delete;

  /// Starts the registered extension `name` with its settings (several may run); its
  /// log is captured.
  result<void> start(const std::string& name);

  /// Stores a monitored streamer, or a status, as the server's actors would.
  void put_streamer(const streamer_record& s);
  void put_status(const stream_status& s);
  /// Announces a change on the event bus, as a streamer actor does after storing it.
  void publish(const stream_change& change);

  /// What the started extensions logged so far, one line per message (no prefix).
  std::string log_text() const;
  /// Waits until the log holds `text`.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  caf::actor_system& system() { return sys_; }
  const host_services& services() const { return services_; }
  /// The actors the started extensions spawned.
  size_t actor_count() const { return running_.actor_count(); }

 private:
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  std::map<std::string, std::string> variables_;
  host_services services_;
  std::shared_ptr<started_actors> started_;
  running_extensions running_;
  std::shared_ptr<capture_sink> sink_;
  std::vector<std::string> loggers_;  // registered here, dropped at the end
};

}  // namespace eventsubd::ext::testing
