#include "actors/status_lookup.hpp"

#include "actors/twitch_errors.hpp"
#include "core/json_codec.hpp"
#include "core/time.hpp"

#include <caf/all.hpp>

namespace eventsubd {

status_lookup_actor::behavior_type status_lookup_fn(
    status_lookup_actor::stateful_pointer<status_lookup_state> self,
    const twitch_client_actor& twitch, std::chrono::seconds ttl) {
  self->state.ttl = ttl;
  auto finish = [=](const std::string& login, const query_result& result,
                    bool cacheable) {
    auto& st = self->state;
    if (cacheable) st.cache[login] = {std::chrono::steady_clock::now() + st.ttl, result};
    auto waiting = std::move(st.waiting[login]);
    st.waiting.erase(login);
    for (auto& reply : waiting) reply(result);
  };
  return {
      [=](status_atom, const std::string& login, const reply_once& reply) {
        auto& st = self->state;
        auto t_now = std::chrono::steady_clock::now();
        if (auto it = st.cache.find(login); it != st.cache.end()) {
          if (it->second.expires > t_now) return reply(it->second.result);
          st.cache.erase(it);
        }
        auto& waiting = st.waiting[login];
        waiting.push_back(reply);
        if (waiting.size() > 1) return;  // a lookup for this login is already running
        auto timeout = std::chrono::seconds(30);
        self->request(twitch, timeout, caf::get_atom::value, users_atom::value,
                      std::vector<std::string>{login})
            .then(
                [=](const std::vector<twitch::twitch_user>& users) {
                  if (users.empty())
                    return finish(
                        login,
                        query_result::failure(errc::not_found,
                                              "Twitch user '" + login + "' not found"),
                        true);
                  auto user = users.front();
                  self->request(twitch, timeout, caf::get_atom::value,
                                streams_atom::value, std::vector<std::string>{user.id})
                      .then(
                          [=](const std::vector<twitch::twitch_stream>& streams) {
                            stream_status s;
                            s.user_id = user.id;
                            s.username = user.login;
                            s.display_name = user.display_name;
                            s.is_live = !streams.empty();
                            if (s.is_live) s.stream_data = streams.front().raw;
                            s.last_updated = format_rfc3339(now());
                            finish(login,
                                   query_result::success(
                                       make_body(to_json(s, "twitch_api"))),
                                   true);
                          },
                          [=](const caf::error& err) {
                            finish(login, to_query_result(err), false);
                          });
                },
                [=](const caf::error& err) {
                  finish(login, to_query_result(err), false);
                });
      },
  };
}

}  // namespace eventsubd
