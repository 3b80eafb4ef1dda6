#pragma once
// The Twitch scheduler's tests' fixture: the scheduler on CAF's deterministic test
// coordinator over fake Helix workers that hold every reply until the test releases it,
// and requesters whose answers the tests read.

#include "actors/errors.hpp"
#include "actors/twitch_scheduler.hpp"
#include "tests/actors/held_replies.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::testing::scheduler_tests {

using twitch::work_class;
using strings = std::vector<std::string>;

/// A Helix worker stand-in: records every call and holds its reply until released.
struct fake_worker_state {
  strings calls;  // "op:arg", in arrival order
  held_replies held;
  bool busy() const { return !held.empty(); }
};

/// The worker's interface plus the test's `release`.
using fake_worker_actor = helix_worker_actor::extend<caf::reacts_to<release_atom>>;

inline std::string joined(const strings& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ",") + x;
  return out;
}

inline fake_worker_actor::behavior_type fake_worker(
    fake_worker_actor::pointer self, std::shared_ptr<fake_worker_state> st) {
  auto hold = [self, st](std::string call, auto value) {
    st->calls.push_back(std::move(call));
    return st->held.hold(self, std::move(value));
  };
  return {
      [=](caf::get_atom, users_atom, const strings& logins) {
        std::vector<twitch::twitch_user> users;
        for (const auto& l : logins) users.push_back({"id-" + l, l, l});
        return hold("users:" + joined(logins), users);
      },
      [=](caf::get_atom, streams_atom, const strings& ids) {
        return hold("streams:" + joined(ids), std::vector<twitch::twitch_stream>{});
      },
      [=](subscribe_atom, const streamer_record& s) {
        return hold("subscribe:" + s.username, s);
      },
      [=](unsub_atom, const streamer_record& s) {
        return hold("unsub:" + s.username, caf::ok_atom::value);
      },
      [=](unsub_atom, const strings& ids) {
        return hold("unsub_ids:" + joined(ids), caf::ok_atom::value);
      },
      [=](reconcile_atom, const std::vector<streamer_record>& all) {
        return hold("reconcile:" + std::to_string(all.size()), reconcile_result{});
      },
      [=](validate_atom) { return hold("validate", caf::ok_atom::value); },
      [=](release_atom) { st->held.release_one(); },
  };
}

/// What a requester got back: a value or an error, once answered.
template <class T>
struct answer {
  std::optional<T> value;
  std::optional<caf::error> error;
  bool answered() const { return value || error; }
  query_result as_query_result() const {
    return error ? to_query_result(*error) : query_result::success(nullptr);
  }
};

inline streamer_record streamer(const std::string& login) {
  streamer_record s;
  s.user_id = "id-" + login;
  s.username = login;
  return s;
}

inline twitch_ticket ticket(work_class cls) {
  return twitch_ticket{cls, std::chrono::steady_clock::time_point::max(), {}};
}

class twitch_scheduler_test : public ::testing::Test {
 protected:
  static caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  twitch_actor scheduler;
  std::vector<std::pair<work_class, helix_worker_actor>> pool;
  std::vector<fake_worker_actor> worker_handles;
  std::vector<caf::actor> clients;

  struct worker_ref {
    fake_worker_actor handle;
    std::shared_ptr<fake_worker_state> state;
    fake_worker_state* operator->() const { return state.get(); }
  };
  /// Adds a worker of class `cls` to the pool `start` hands the scheduler.
  worker_ref worker(work_class cls) {
    auto st = std::make_shared<fake_worker_state>();
    worker_handles.push_back(sys.spawn(fake_worker, st));
    pool.emplace_back(cls, worker_handles.back());
    return {worker_handles.back(), st};
  }
  void start(twitch_scheduler_config config = {}) {
    scheduler = sys.spawn(twitch_scheduler_fn, config, pool);
    sched.run();
  }

  /// Sends one request from a fresh requester and runs until everything is idle.
  template <class T, class... Ts>
  std::shared_ptr<answer<T>> ask(Ts... xs) {
    auto out = std::make_shared<answer<T>>();
    clients.push_back(
        sys.spawn([out, h = scheduler, xs...](caf::event_based_actor* self) {
          self->request(h, caf::infinite, xs...)
              .then([out](T& v) { out->value = std::move(v); },
                    [out](caf::error& e) { out->error = std::move(e); });
        }));
    sched.run();
    return out;
  }
  auto subscribe(work_class cls, const std::string& login) {
    return ask<streamer_record>(subscribe_atom::value, ticket(cls), streamer(login));
  }
  auto users(twitch_ticket t, const std::string& login) {
    return ask<std::vector<twitch::twitch_user>>(caf::get_atom::value, users_atom::value,
                                                 std::move(t), strings{login});
  }
  auto reconcile() {
    return ask<reconcile_result>(reconcile_atom::value, ticket(work_class::bulk),
                                 std::vector<streamer_record>{});
  }
  /// The worker sends its oldest held reply; everything runs until idle.
  void release(const worker_ref& w) {
    ASSERT_TRUE(w->busy()) << "the worker holds no reply";
    caf::anon_send(w.handle, release_atom::value);
    sched.run();
  }

  ~twitch_scheduler_test() override {
    if (scheduler) caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
    for (auto& w : worker_handles)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    for (auto& c : clients) caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

}  // namespace eventsubd::testing::scheduler_tests
