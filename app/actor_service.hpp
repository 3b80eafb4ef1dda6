#pragma once

#include "actors/interfaces.hpp"
#include "http/service.hpp"
#include "storage/status_view.hpp"
#include "twitch/webhook_gate.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace eventsubd {

/// The bridge from the HTTP layer into the actors: each call is one typed message that
/// carries its reply channel (no blocking, no per-request actor).
class actor_service final : public http::service {
 public:
  /// `manager` and `lookup` are invalid while Twitch is not configured;
  /// `twitch_problem` then says why (names the variables). `statuses` is what the
  /// storage actor publishes; a status found there is answered without a message.
  /// `started` is set once the first start-up round is over; until then /health says
  /// "starting" (503).
  actor_service(storage_actor storage,
                std::shared_ptr<const storage::status_view> statuses,
                webhook_actor webhook, subscription_manager_actor manager,
                status_lookup_actor lookup, std::string twitch_problem,
                std::shared_ptr<const std::atomic<bool>> started,
                twitch::webhook_gate_config gate)
      : storage_(std::move(storage)),
        statuses_(std::move(statuses)),
        webhook_(std::move(webhook)),
        manager_(std::move(manager)),
        lookup_(std::move(lookup)),
        twitch_problem_(std::move(twitch_problem)),
        started_(std::move(started)),
        gate_(std::move(gate)) {}

  void health(reply_once reply) override;
  void list_streamers(reply_once reply) override;
  void add_streamer(std::string login, reply_once reply) override;
  void remove_streamer(std::string login, reply_once reply) override;
  void streamer_status(std::string login, reply_once reply) override;
  void live_streams(reply_once reply) override;
  void recent_events(uint32_t limit, reply_once reply) override;
  void webhook(webhook_request delivery, reply_once reply) override;

 private:
  storage_http_actor storage_;  // it asks only what answers HTTP
  std::shared_ptr<const storage::status_view> statuses_;
  webhook_actor webhook_;
  subscription_manager_actor manager_;
  status_lookup_actor lookup_;
  std::string twitch_problem_;
  std::shared_ptr<const std::atomic<bool>> started_;  // the first start-up round is over
  twitch::webhook_gate gate_;  // runs on the HTTP thread: forgeries never reach an actor
};

}  // namespace eventsubd
