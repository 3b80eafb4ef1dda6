#pragma once

#include "actors/messages.hpp"
#include "twitch/helix_types.hpp"
#include "twitch/rate_budget.hpp"
#include "twitch/webhook_gate.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// Messages of Twitch work: tickets, reconciliation results, stream watches.
namespace eventsubd {

/// Who is waiting for a piece of Twitch work, and until when.
struct twitch_ticket {
  twitch::work_class cls = twitch::work_class::bulk;
  /// Dropped before it reaches Twitch once this has passed (max: no deadline).
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();
  /// True once nobody waits for the answer (its HTTP clients hung up): dropped too.
  /// Called on the scheduler's thread: must be thread-safe. Empty: never.
  std::function<bool()> abandoned;

  static twitch_ticket bulk() { return {}; }
  /// Work someone waits for, for at most `within`.
  static twitch_ticket waited_for(twitch::work_class cls,
                                  std::chrono::milliseconds within,
                                  std::function<bool()> abandoned = {}) {
    return {cls, std::chrono::steady_clock::now() + within, std::move(abandoned)};
  }
  /// Work for one HTTP request: abandoned when its client hangs up.
  static twitch_ticket for_request(twitch::work_class cls,
                                   std::chrono::milliseconds within,
                                   const reply_once& reply) {
    std::function<bool()> gone;
    if (auto flag = reply.gone()) gone = [flag] { return flag->load(); };
    return waited_for(cls, within, std::move(gone));
  }
};

/// What a reconciliation did and found.
struct reconcile_result {
  std::vector<streamer_record>
      streamers;  // the monitored records with their subscription ids
  std::vector<std::string> orphan_ids;  // our subscriptions of unmonitored broadcasters
  std::vector<std::string> orphan_broadcasters;  // their broadcaster ids, same order
  int adopted = 0, created = 0, deleted = 0, failed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconcile_result& x) {
  return f(caf::meta::type_name("reconcile_result"), x.streamers, x.orphan_ids,
           x.orphan_broadcasters, x.adopted, x.created, x.deleted, x.failed);
}

/// Why a streamer actor watches a stream.
enum class watch_purpose : uint8_t {
  metadata,  // a stream just went online: its Get Streams item, once Helix lists it
  recheck,   // Helix's lag window is over: is the stream still listed?
};

/// What Get Streams said about a watched stream.
struct watch_result {
  watch_purpose purpose = watch_purpose::metadata;
  std::string stream_id;  // the id watched (metadata) or asked about (re-check)
  bool listed = false;    // Get Streams lists a stream of this broadcaster
  twitch::twitch_stream stream;
};

}  // namespace eventsubd

namespace eventsubd::twitch {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twitch_user& x) {
  return f(caf::meta::type_name("twitch_user"), x.id, x.login, x.display_name);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twitch_stream& x) {
  return f(caf::meta::type_name("twitch_stream"), x.id, x.user_id, x.user_login,
           x.user_name, x.game_name, x.title, x.viewer_count, x.started_at, x.raw);
}

}  // namespace eventsubd::twitch

namespace eventsubd {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watch_result& x) {
  return f(caf::meta::type_name("watch_result"), x.purpose, x.stream_id, x.listed,
           x.stream);
}

}  // namespace eventsubd

// Local only: the ticket carries a shared flag and a steady-clock deadline.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::twitch_ticket)
// Local only: from the HTTP thread's gate to the webhook actor.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(eventsubd::twitch::verified_event)
