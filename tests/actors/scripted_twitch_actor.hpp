#pragma once

#include "actors/errors.hpp"
#include "actors/interfaces.hpp"
#include "tests/actors/held_replies.hpp"

#include <caf/all.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::testing {

/// One Get Users or Get Streams request the fake received.
struct scripted_call {
  std::vector<std::string> args;  // logins or user ids
  twitch_ticket ticket;
  std::chrono::steady_clock::time_point at;  // on the actor clock
};

/// What the scripted Twitch answers, and what it was asked. For deterministic tests
/// (the test coordinator): nothing here is locked.
struct scripted_twitch_state {
  std::map<std::string, twitch::twitch_user> users;   // Get Users knows these, by login
  std::map<std::string, twitch::twitch_stream> live;  // Get Streams lists these, by user
  int fail_users = 0;                                 // the next N Get Users fail (502)
  int fail_streams = 0;                               // the next N Get Streams fail (502)
  bool hold_users = false;    // Get Users answers only on `release_atom`
  bool hold_streams = false;  // likewise Get Streams
  std::vector<scripted_call> users_calls;
  std::vector<scripted_call> streams_calls;
  held_replies held;

  void add_user(const std::string& login) {
    users[login] = {"id-" + login, login, login};
  }
};

/// The Twitch interface plus the test's `release`.
using scripted_twitch_actor = twitch_actor::extend<caf::reacts_to<release_atom>>;

inline caf::error injected_twitch_failure() {
  return make_caf_error(errc::upstream_error, "injected Twitch failure");
}

/// A Twitch scheduler stand-in answering Get Users and Get Streams from its state.
inline scripted_twitch_actor::behavior_type scripted_twitch(
    scripted_twitch_actor::pointer self, std::shared_ptr<scripted_twitch_state> st) {
  using users_t = std::vector<twitch::twitch_user>;
  using streams_t = std::vector<twitch::twitch_stream>;
  return {
      [=](caf::get_atom, users_atom, const twitch_ticket& t,
          const std::vector<std::string>& logins) -> caf::result<users_t> {
        st->users_calls.push_back({logins, t, self->clock().now()});
        if (st->fail_users > 0) {
          --st->fail_users;
          return injected_twitch_failure();
        }
        users_t out;
        for (const auto& l : logins)
          if (auto it = st->users.find(l); it != st->users.end())
            out.push_back(it->second);
        if (st->hold_users) return st->held.hold(self, std::move(out));
        return out;
      },
      [=](caf::get_atom, streams_atom, const twitch_ticket& t,
          const std::vector<std::string>& ids) -> caf::result<streams_t> {
        st->streams_calls.push_back({ids, t, self->clock().now()});
        if (st->fail_streams > 0) {
          --st->fail_streams;
          return injected_twitch_failure();
        }
        streams_t out;
        for (const auto& id : ids)
          if (auto it = st->live.find(id); it != st->live.end())
            out.push_back(it->second);
        if (st->hold_streams) return st->held.hold(self, std::move(out));
        return out;
      },
      // Not used by the actors these fakes serve.
      [](subscribe_atom, const twitch_ticket&, streamer_record s) { return s; },
      [](unsub_atom, const twitch_ticket&, const streamer_record&) {
        return caf::ok_atom::value;
      },
      [](unsub_atom, const twitch_ticket&, const std::vector<std::string>&) {
        return caf::ok_atom::value;
      },
      [](reconcile_atom, const twitch_ticket&, const std::vector<streamer_record>&) {
        return reconcile_result{};
      },
      [](validate_atom) {},
      [=](release_atom) { st->held.release_one(); },
  };
}

}  // namespace eventsubd::testing
