#pragma once

#include "actors/interfaces.hpp"
#include "core/time.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace eventsubd::testing {

/// A Twitch client stand-in: counts Get Streams requests, answers from a live set.
struct fake_helix_state {
  std::atomic<int> streams_requests{0};
  std::mutex mutex;
  std::map<std::string, twitch::twitch_stream> live;  // by user id
};

inline twitch_actor::behavior_type fake_helix(twitch_actor::pointer self,
                                              std::shared_ptr<fake_helix_state> st) {
  self->set_default_handler(caf::drop);
  return {
      [](caf::get_atom, users_atom, const twitch_ticket&,
         const std::vector<std::string>&) { return std::vector<twitch::twitch_user>{}; },
      [st](caf::get_atom, streams_atom, const twitch_ticket&,
           const std::vector<std::string>& ids) {
        ++st->streams_requests;
        std::lock_guard<std::mutex> g{st->mutex};
        std::vector<twitch::twitch_stream> out;
        for (auto& id : ids)
          if (auto it = st->live.find(id); it != st->live.end())
            out.push_back(it->second);
        return out;
      },
      [](subscribe_atom, const twitch_ticket&, streamer_record s) { return s; },
      [](unsub_atom, const twitch_ticket&, const streamer_record&) {
        return caf::ok_atom::value;
      },
      [](unsub_atom, const twitch_ticket&, const std::vector<std::string>&) {
        return caf::ok_atom::value;
      },
      [](reconcile_atom, const twitch_ticket&, std::vector<streamer_record> v) {
        reconcile_result r;
        r.streamers = std::move(v);
        return r;
      },
      [](validate_atom) {},
  };
}

/// A Get Streams item; started a minute ago unless said otherwise.
inline twitch::twitch_stream helix_stream(const std::string& user_id,
                                          const std::string& stream_id,
                                          const std::string& game,
                                          sys_time started = now() -
                                                             std::chrono::seconds(60)) {
  twitch::twitch_stream s;
  s.id = stream_id;
  s.user_id = user_id;
  s.game_name = game;
  s.started_at = format_rfc3339(started);
  s.raw = R"({"id":")" + stream_id + R"(","user_id":")" + user_id + R"(","game_name":")" +
          game + R"(","started_at":")" + s.started_at + R"("})";
  return s;
}

}  // namespace eventsubd::testing
