#pragma once

#include <string>

namespace eventsubd {

/// A webhook delivery as the HTTP layer received it: the headers that matter and the
/// raw body (moved, never re-serialized: the signature covers these exact bytes).
struct webhook_request {
  std::string message_id;    // Twitch-Eventsub-Message-Id
  std::string timestamp;     // Twitch-Eventsub-Message-Timestamp
  std::string signature;     // Twitch-Eventsub-Message-Signature
  std::string message_type;  // Twitch-Eventsub-Message-Type
  std::string body;
  bool has_id = false, has_timestamp = false, has_signature = false, has_type = false;
};

}  // namespace eventsubd
