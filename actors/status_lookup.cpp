#include "actors/status_lookup.hpp"

#include "actors/errors.hpp"
#include "core/json_codec.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cmath>

namespace eventsubd {
namespace {

using self_ptr = status_lookup_actor::stateful_pointer<status_lookup_state>;
using clock = status_lookup_state::clock;

/// Takes one token from the rate limit's bucket (refilled continuously, up to one
/// minute's worth); otherwise how long until one is there.
std::chrono::seconds take_token(status_lookup_state& st, clock::time_point now) {
  const double capacity = st.cfg.per_minute;
  std::chrono::duration<double> elapsed = now - st.refilled;
  st.refilled = now;
  st.tokens = std::min(capacity, st.tokens + elapsed.count() * capacity / 60.0);
  if (st.tokens >= 1) {
    st.tokens -= 1;
    return std::chrono::seconds(0);
  }
  // Rounded up to whole seconds, but not past a whole second that rounding error in
  // `tokens` alone exceeds (10.000000001 s is 10 s, not 11).
  double wait = (1 - st.tokens) * 60.0 / capacity;
  return std::chrono::seconds(std::max<int64_t>(1, std::llround(std::ceil(wait - 1e-6))));
}

void sweep(status_lookup_state& st, clock::time_point now) {
  std::erase_if(st.cache, [&](const auto& kv) { return kv.second.expires <= now; });
}

void finish(self_ptr self, const std::string& login, const query_result& result,
            bool cacheable) {
  auto& st = self->state;
  if (cacheable) {
    auto now = self->clock().now();
    if (st.cache.size() >= st.cfg.max_cached) sweep(st, now);
    if (st.cache.size() < st.cfg.max_cached)  // still full: answered, not cached
      st.cache[login] = {now + st.cfg.ttl, result};
  }
  auto waiting = std::move(st.waiting[login]);
  st.waiting.erase(login);
  for (auto& reply : waiting.replies) reply(result);
}

query_result status_body(const twitch::twitch_user& user,
                         const std::vector<twitch::twitch_stream>& streams) {
  stream_status s;
  s.user_id = user.id;
  s.username = user.login;
  s.display_name = user.display_name;
  s.is_live = !streams.empty();
  if (s.is_live) s.stream_data = streams.front().raw;
  s.last_updated = format_rfc3339(now());
  return query_result::success(make_body(to_json(s, "twitch_api")));
}

/// Get Users, then Get Streams, as `lookup` work for everyone waiting for `login`.
void look_up(self_ptr self, const twitch_actor& twitch, const std::string& login) {
  auto waiters = self->state.waiting[login].waiters;
  auto ticket =
      twitch_ticket::waited_for(twitch::work_class::lookup, self->state.cfg.deadline,
                                [waiters] { return waiters->all_gone(); });
  self->request(twitch, caf::infinite, caf::get_atom::value, users_atom::value, ticket,
                std::vector<std::string>{login})
      .then(
          [=](const std::vector<twitch::twitch_user>& users) {
            if (users.empty())
              return finish(self, login,
                            query_result::failure(
                                errc::not_found, "Twitch user '" + login + "' not found"),
                            true);
            auto user = users.front();
            self->request(twitch, caf::infinite, caf::get_atom::value,
                          streams_atom::value, ticket, std::vector<std::string>{user.id})
                .then(
                    [=](const std::vector<twitch::twitch_stream>& streams) {
                      finish(self, login, status_body(user, streams), true);
                    },
                    [=](const caf::error& err) {
                      finish(self, login, to_query_result(err), false);
                    });
          },
          [=](const caf::error& err) {
            finish(self, login, to_query_result(err), false);
          });
}

}  // namespace

status_lookup_actor::behavior_type status_lookup_fn(self_ptr self,
                                                    const twitch_actor& twitch,
                                                    status_lookup_config cfg) {
  self->state.cfg = cfg;
  self->state.tokens = cfg.per_minute;
  self->state.refilled = self->clock().now();
  self->delayed_send(self, cfg.ttl, sweep_atom::value);
  return {
      [=](status_atom, const std::string& login, const reply_once& reply) {
        auto& st = self->state;
        auto now = self->clock().now();
        if (auto it = st.cache.find(login); it != st.cache.end()) {
          if (it->second.expires > now) return reply(it->second.result);
          st.cache.erase(it);
        }
        if (auto it = st.waiting.find(login); it != st.waiting.end()) {
          // A lookup of this login is running: wait for its answer.
          it->second.replies.push_back(reply);
          std::lock_guard<std::mutex> g{it->second.waiters->mutex};
          it->second.waiters->flags.push_back(reply.gone());
          return;
        }
        if (auto wait = take_token(st, now); wait.count() > 0) {
          metrics::lookup_rate_limited();
          return reply(query_result::failure(
              errc::too_many_requests,
              "Too many lookups of streamers that are not monitored; retry in " +
                  std::to_string(wait.count()) + " s",
              wait));
        }
        auto& entry = st.waiting[login];
        entry.replies.push_back(reply);
        entry.waiters->flags.push_back(reply.gone());
        look_up(self, twitch, login);
      },
      [=](sweep_atom) {
        sweep(self->state, self->clock().now());
        self->delayed_send(self, self->state.cfg.ttl, sweep_atom::value);
      },
  };
}

}  // namespace eventsubd
