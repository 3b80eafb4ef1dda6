#pragma once

#include "core/reply.hpp"
#include "core/webhook_request.hpp"

#include <cstdint>
#include <string>

namespace eventsubd::http {

/// What the REST API needs from the rest of the system. The router calls exactly one of
/// these per request with validated arguments; the implementation (app/actor_service)
/// turns each into one typed actor message, so `http/` never touches storage or Twitch.
/// Every call answers through `reply` exactly once, from any thread.
class service {
 public:
  virtual ~service() = default;
  virtual void health(reply_once reply) = 0;
  virtual void list_streamers(reply_once reply) = 0;
  virtual void add_streamer(std::string login, reply_once reply) = 0;
  virtual void remove_streamer(std::string login, reply_once reply) = 0;
  virtual void streamer_status(std::string login, reply_once reply) = 0;
  virtual void live_streams(reply_once reply) = 0;
  virtual void recent_events(uint32_t limit, reply_once reply) = 0;
  virtual void webhook(webhook_request delivery, reply_once reply) = 0;
};

}  // namespace eventsubd::http
