#pragma once

#include <string>

namespace eventsubd {

/// A monitored streamer (`twitch:streamers` hash value). Empty strings stand for JSON
/// null.
struct streamer_record {
  std::string user_id;
  std::string username;  // lowercase login, the key
  std::string display_name;
  std::string
      online_subscription_id;  // `subscription_id` in the JSON (old service's key)
  std::string offline_subscription_id;  // new: `offline_subscription_id`
  bool is_active = false;
};

/// Where a status or event came from.
enum class change_source { webhook, polling };

/// A streamer's live status (`twitch:stream_status` hash value).
struct stream_status {
  std::string user_id;
  std::string username;
  std::string display_name;
  bool is_live = false;
  std::string stream_data;      // raw JSON object text; empty = null
  std::string last_updated;     // RFC 3339
  std::string last_event_type;  // e.g. "stream.online"; empty = null
};

/// One recorded event (`twitch:events` member; score = unix seconds).
struct event_record {
  std::string id;  // the EventSub message id (or a generated id for polling corrections)
  std::string event_type;
  std::string broadcaster_id;
  std::string broadcaster_login;
  std::string broadcaster_name;
  std::string timestamp;  // RFC 3339, when we received it
  double score = 0;       // unix seconds of `timestamp`
  std::string data;       // raw JSON text of the EventSub `event` object
  std::string
      source;  // new: "polling" for corrections found by the refresher, else empty
};

}  // namespace eventsubd
