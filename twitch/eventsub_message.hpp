#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace eventsubd::twitch {

/// The `Twitch-Eventsub-Message-Type` header values.
enum class message_type { notification, verification, revocation, unknown };

message_type parse_message_type(std::string_view header);

/// The `subscription` object every EventSub message carries.
struct subscription_info {
  std::string id;
  std::string type;                 // e.g. "stream.online"
  std::string version;              // e.g. "1"
  std::string status;               // "enabled", or the revocation reason
  std::string broadcaster_user_id;  // condition.broadcaster_user_id, when present
};

/// A stream.online / stream.offline `event` (other types keep only the raw JSON).
struct stream_event_info {
  std::string raw;  // the `event` object as JSON text (minified)
  std::string broadcaster_user_id;
  std::string broadcaster_user_login;
  std::string broadcaster_user_name;
  std::string stream_id;    // online only
  std::string stream_type;  // online only: live, playlist, ...
  std::string started_at;   // online only
};

/// A parsed, structurally valid message body.
struct eventsub_message {
  subscription_info subscription;
  std::string challenge;    // verification only
  stream_event_info event;  // notification only
};

/// Parses a body of the given type. Every body must be a UTF-8 JSON object with a
/// `subscription` object; a verification needs a string `challenge`; a notification needs
/// an `event` object, and for stream.online/offline the broadcaster id/login/name
/// strings. Returns the message or a human-readable reason why it is malformed.
class eventsub_parser {
 public:
  eventsub_parser();
  ~eventsub_parser();
  eventsub_parser(const eventsub_parser&) = delete;
  eventsub_parser& operator=(const eventsub_parser&) = delete;

  std::variant<eventsub_message, std::string> parse(message_type type,
                                                    std::string_view body);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace eventsubd::twitch
