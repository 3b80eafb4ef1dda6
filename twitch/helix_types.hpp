#pragma once

#include <cstdint>
#include <string>

namespace eventsubd::twitch {

/// A Helix user (Get Users).
struct twitch_user {
  std::string id;
  std::string login;
  std::string display_name;
};

/// A live stream (Get Streams); `raw` is the item's JSON as Helix sent it.
struct twitch_stream {
  std::string id;
  std::string user_id;
  std::string user_login;
  std::string user_name;
  std::string game_name;
  std::string title;
  int64_t viewer_count = 0;
  std::string started_at;
  std::string raw;
};

/// An EventSub subscription (Create / Get EventSub Subscriptions).
struct twitch_subscription {
  std::string id;
  std::string type;
  std::string status;
  std::string broadcaster_user_id;
  std::string callback;
  std::string created_at;
  int64_t cost = 0;
};

/// What Create EventSub Subscription gave: a new subscription, or the existing one
/// Twitch answered 409 for (`adopted`).
struct created_subscription {
  twitch_subscription subscription;
  bool adopted = false;
};

}  // namespace eventsubd::twitch
