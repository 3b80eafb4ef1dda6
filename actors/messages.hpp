#pragma once

#include "core/model.hpp"
#include "core/reply.hpp"
#include "core/time.hpp"
#include "storage/write_op.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <memory>
#include <string>
#include <vector>

// Plain message types exchanged between actors, each with its `inspect` right below it.
namespace eventsubd {

inline std::string to_string(change_source s) {
  return s == change_source::webhook ? "webhook" : "polling";
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, streamer_record& x) {
  return f(caf::meta::type_name("streamer_record"), x.user_id, x.username, x.display_name,
           x.online_subscription_id, x.offline_subscription_id, x.is_active);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_status& x) {
  return f(caf::meta::type_name("stream_status"), x.user_id, x.username, x.display_name,
           x.is_live, x.stream_data, x.last_updated, x.last_event_type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_record& x) {
  return f(caf::meta::type_name("event_record"), x.id, x.event_type, x.broadcaster_id,
           x.broadcaster_login, x.broadcaster_name, x.timestamp, x.score, x.data,
           x.source);
}

/// An online or offline report for one broadcaster, from the webhook or (later) a poll.
struct stream_report {
  bool online = false;
  std::string message_id;  // becomes the event id
  std::string event_type;  // "stream.online" / "stream.offline"
  std::string user_id;
  std::string login;  // lowercase
  std::string display_name;
  std::string stream_id;  // online only
  std::string event_raw;  // the EventSub event object (JSON text)
  sys_time started_at{};  // online: the stream's started_at (epoch when unknown)
  sys_time sent_at{};     // webhook: Twitch's message timestamp; poll: when we saw it
  change_source source = change_source::webhook;
  /// > 0: a webhook delivery whose message id the storage must remember as seen for this
  /// many seconds, with the change it causes (or alone when it causes none).
  uint32_t remember_seconds = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_report& x) {
  return f(caf::meta::type_name("stream_report"), x.online, x.message_id, x.event_type,
           x.user_id, x.login, x.display_name, x.stream_id, x.event_raw, x.started_at,
           x.sent_at, x.source, x.remember_seconds);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ended_stream& x) {
  return f(caf::meta::type_name("ended_stream"), x.id, x.cause, x.at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_memory& x) {
  return f(caf::meta::type_name("stream_memory"), x.current, x.live_id, x.started_at,
           x.online_sent_at, x.ended);
}

/// One applied transition: the new status, the event that records it and what the
/// state machine now remembers, written together, and the webhook message id to
/// remember as seen, written after them in the same batch (so a crash between the two
/// re-applies a redelivery, never loses a change).
struct transition {
  stream_status status;
  event_record event;
  stream_memory memory;
  std::string seen_id;      // empty: none (a polling correction)
  uint32_t seen_ttl_s = 0;  // how long the storage remembers `seen_id`
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transition& x) {
  return f(caf::meta::type_name("transition"), x.status, x.event, x.memory, x.seen_id,
           x.seen_ttl_s);
}

/// A status written without an event (metadata, start-up initialisation), with what the
/// state machine remembers when that changed too.
struct status_update {
  stream_status status;
  bool with_memory = false;
  stream_memory memory;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_update& x) {
  return f(caf::meta::type_name("status_update"), x.status, x.with_memory, x.memory);
}

/// What storage holds about one broadcaster, for its streamer actor's restore.
struct stored_broadcaster {
  bool has_status = false;
  stream_status status;
  bool has_memory = false;
  stream_memory memory;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_broadcaster& x) {
  return f(caf::meta::type_name("stored_broadcaster"), x.has_status, x.status,
           x.has_memory, x.memory);
}

/// What kind of change the event bus announces.
enum class change_kind { online, offline, metadata };

inline std::string to_string(change_kind k) {
  switch (k) {
    case change_kind::online:
      return "online";
    case change_kind::offline:
      return "offline";
    case change_kind::metadata:
      return "metadata";
  }
  return "unknown";
}

/// Published on the event bus after a change is stored. This is the extension API:
/// user-written listener actors receive exactly this.
struct stream_change {
  change_kind kind = change_kind::online;
  std::string user_id;
  std::string login;
  std::string display_name;
  std::string stream_data;  // raw JSON (online/metadata); empty when offline
  std::string timestamp;    // RFC 3339, when we applied it
  change_source source = change_source::webhook;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_change& x) {
  return f(caf::meta::type_name("stream_change"), x.kind, x.user_id, x.login,
           x.display_name, x.stream_data, x.timestamp, x.source);
}

/// A `revocation` message: Twitch ended one of our subscriptions.
struct revocation_notice {
  std::string subscription_id;
  std::string subscription_type;
  std::string broadcaster_user_id;
  std::string reason;  // subscription.status, e.g. "user_removed"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, revocation_notice& x) {
  return f(caf::meta::type_name("revocation_notice"), x.subscription_id,
           x.subscription_type, x.broadcaster_user_id, x.reason);
}

/// What one poll of Get Streams says about one monitored broadcaster.
struct poll_report {
  std::string user_id;
  std::string login;
  std::string display_name;
  bool live = false;       // listed by Get Streams
  std::string stream_id;   // when live
  std::string started_at;  // when live
  std::string stream_raw;  // the Get Streams item (JSON) when live
  bool initial = false;    // start-up initialisation: set the status, record no event

  /// A report about one broadcaster, not live until said otherwise.
  static poll_report about(std::string user_id, std::string login,
                           std::string display_name) {
    poll_report p;
    p.user_id = std::move(user_id);
    p.login = std::move(login);
    p.display_name = std::move(display_name);
    return p;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, poll_report& x) {
  return f(caf::meta::type_name("poll_report"), x.user_id, x.login, x.display_name,
           x.live, x.stream_id, x.started_at, x.stream_raw, x.initial);
}

}  // namespace eventsubd

namespace eventsubd::storage {

/// Everything the backend holds, read once at start-up by the storage writer.
struct snapshot {
  std::vector<streamer_record> streamers;
  std::vector<stream_status> statuses;
  std::vector<event_record> events;  // newest first
  std::vector<std::string> seen;     // EventSub message ids still remembered
  std::vector<std::pair<std::string, stream_memory>> memories;  // by user id
};

/// Writes handed to the storage writer in one go; shared, so a failed batch is sent
/// again without copying.
using write_batch = std::shared_ptr<const std::vector<write_op>>;

}  // namespace eventsubd::storage

// Reply channels back into the HTTP layer carry a callback; they never leave the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::reply_once)
// Between the storage actor and its writer only, in the same process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::storage::snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::storage::write_batch)
