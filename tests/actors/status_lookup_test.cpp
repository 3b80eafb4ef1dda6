// The status lookup on CAF's deterministic test coordinator: coalescing, caching (TTL,
// bound, what is not cached), the rate limit and its refill, and the ticket it gives the
// Twitch scheduler.
#include "actors/status_lookup.hpp"

#include "core/metrics.hpp"
#include "tests/actors/scripted_twitch_actor.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

/// One client's answer, once it came.
using answer = std::shared_ptr<std::optional<query_result>>;

/// A client that can hang up: its `gone()` flag.
using hang_up_flag = std::shared_ptr<std::atomic<bool>>;

hang_up_flag make_flag() {
  return std::make_shared<std::atomic<bool>>(false);
}

double rate_limited_total() {
  std::istringstream in{metrics::render_prometheus({})};
  const std::string name = "eventsubd_status_lookups_rate_limited_total ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name, 0) == 0) return std::stod(line.substr(name.size()));
  return 0;
}

class status_lookup_test : public ::testing::Test {
 protected:
  static caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::shared_ptr<scripted_twitch_state> helix =
      std::make_shared<scripted_twitch_state>();
  scripted_twitch_actor twitch = sys.spawn(scripted_twitch, helix);
  status_lookup_actor lookup;

  void start(status_lookup_config config = {}) {
    lookup = sys.spawn(status_lookup_fn, twitch, config);
    sched.run();
  }
  ~status_lookup_test() override {
    for (auto h :
         {caf::actor_cast<caf::actor>(lookup), caf::actor_cast<caf::actor>(twitch)})
      if (h) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// GET /streamers/{login}/status of an unmonitored login; answered once idle unless
  /// the fake holds Twitch's reply.
  answer status(const std::string& login, abandoned_flag gone = {}) {
    auto out = std::make_shared<std::optional<query_result>>();
    caf::anon_send(
        lookup, status_atom::value, login,
        reply_once{[out](query_result r) { *out = std::move(r); }, std::move(gone)});
    sched.run();
    return out;
  }
  void release() {
    caf::anon_send(twitch, release_atom::value);
    sched.run();
  }
  /// Moves the clock by `d`: timers due on the way run with the clock already at the
  /// end (the test coordinator's way), so a test steps in pieces where that matters.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }
  size_t users_calls() const { return helix->users_calls.size(); }
  /// Entries in the lookup's cache, expired or not (read on the test's thread: the
  /// coordinator runs nothing meanwhile).
  size_t cached_entries() {
    auto* actor = caf::actor_cast<caf::abstract_actor*>(lookup);
    auto* self =
        dynamic_cast<status_lookup_actor::stateful_pointer<status_lookup_state>>(actor);
    return self ? self->state.cache.size() : SIZE_MAX;
  }
};

errc code_of(const answer& a) {
  return *a ? (*a)->code : errc::internal;
}

std::string body_of(const answer& a) {
  return *a && (*a)->body ? *(*a)->body : std::string{};
}

TEST_F(status_lookup_test, identical_concurrent_lookups_share_one_get_users_call) {
  start();
  helix->add_user("alice");
  helix->hold_users = true;
  auto a1 = status("alice"), a2 = status("alice"), a3 = status("alice");
  auto ghost = status("ghost");
  EXPECT_EQ(users_calls(), 2u);  // one for alice, one for ghost
  EXPECT_FALSE(*a1 || *a2 || *a3);
  release();  // alice
  release();  // ghost
  for (const auto& a : {a1, a2, a3}) {
    ASSERT_TRUE(*a);
    EXPECT_EQ(code_of(a), errc::ok);
    EXPECT_NE(body_of(a).find("\"twitch_api\""), std::string::npos) << body_of(a);
    EXPECT_EQ(body_of(a), body_of(a1));
  }
  EXPECT_EQ(code_of(ghost), errc::not_found);
  EXPECT_EQ(helix->streams_calls.size(), 1u);  // alice's Get Streams, once too
}

TEST_F(status_lookup_test, answers_are_cached_for_the_ttl_then_asked_again) {
  start();  // ttl 60 s
  helix->add_user("alice");
  auto first = status("alice");
  ASSERT_EQ(code_of(first), errc::ok);
  advance(59s);
  auto cached = status("alice");
  EXPECT_EQ(code_of(cached), errc::ok);
  EXPECT_EQ(body_of(cached), body_of(first));
  EXPECT_EQ(users_calls(), 1u);
  advance(1s);
  EXPECT_EQ(code_of(status("alice")), errc::ok);
  EXPECT_EQ(users_calls(), 2u);
}

TEST_F(status_lookup_test, no_such_user_is_cached_for_the_ttl_too) {
  start();
  EXPECT_EQ(code_of(status("ghost")), errc::not_found);
  advance(59s);
  EXPECT_EQ(code_of(status("ghost")), errc::not_found);
  EXPECT_EQ(users_calls(), 1u);
  advance(1s);
  EXPECT_EQ(code_of(status("ghost")), errc::not_found);
  EXPECT_EQ(users_calls(), 2u);
}

TEST_F(status_lookup_test, twitch_failures_are_not_cached) {
  start();
  helix->add_user("alice");
  helix->fail_users = 1;
  EXPECT_EQ(code_of(status("alice")), errc::upstream_error);
  helix->fail_streams = 1;
  EXPECT_EQ(code_of(status("alice")), errc::upstream_error);
  EXPECT_EQ(users_calls(), 2u);  // asked again at once
  EXPECT_EQ(code_of(status("alice")), errc::ok);
  EXPECT_EQ(users_calls(), 3u);
}

TEST_F(status_lookup_test, beyond_the_rate_limit_429_with_retry_after_then_refills) {
  status_lookup_config config;
  config.per_minute = 2;  // a token every 30 s, at most 2
  start(config);
  auto limited_before = rate_limited_total();
  EXPECT_EQ(code_of(status("a")), errc::not_found);
  EXPECT_EQ(code_of(status("b")), errc::not_found);
  auto refused = status("c");
  ASSERT_EQ(code_of(refused), errc::too_many_requests);
  EXPECT_EQ((*refused)->retry_after, 30s);  // the next token
  EXPECT_EQ(users_calls(), 2u);             // the refused lookup never reached Twitch
  EXPECT_EQ(rate_limited_total(), limited_before + 1);

  advance(20s);  // two thirds of a token
  auto still = status("c");
  ASSERT_EQ(code_of(still), errc::too_many_requests);
  EXPECT_EQ((*still)->retry_after, 10s);
  advance(11s);  // one token
  EXPECT_EQ(code_of(status("c")), errc::not_found);
  EXPECT_EQ(code_of(status("d")), errc::too_many_requests);

  advance(10min);  // refilled up to a minute's worth, no more
  EXPECT_EQ(code_of(status("e")), errc::not_found);
  EXPECT_EQ(code_of(status("f")), errc::not_found);
  EXPECT_EQ(code_of(status("g")), errc::too_many_requests);
  EXPECT_EQ(users_calls(), 5u);
}

TEST_F(status_lookup_test, cache_hits_and_joined_lookups_do_not_consume_tokens) {
  status_lookup_config config;
  config.per_minute = 2;
  start(config);
  helix->add_user("alice");
  helix->add_user("bob");
  helix->hold_users = true;
  auto first = status("alice");  // the only token spent on alice
  auto joined1 = status("alice"), joined2 = status("alice");
  release();
  helix->hold_users = false;
  for (const auto& a : {first, joined1, joined2}) EXPECT_EQ(code_of(a), errc::ok);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(code_of(status("alice")), errc::ok);  // cached
  EXPECT_EQ(users_calls(), 1u);
  EXPECT_EQ(code_of(status("bob")), errc::ok);  // the second token is still there
  EXPECT_EQ(code_of(status("carol")), errc::too_many_requests);
}

TEST_F(status_lookup_test, the_cache_never_exceeds_max_cached_entries) {
  status_lookup_config config;
  config.max_cached = 3;
  config.per_minute = 1000;
  start(config);
  for (int i = 0; i < 10; ++i) {
    auto login = "user" + std::to_string(i);
    helix->add_user(login);
    EXPECT_EQ(code_of(status(login)), errc::ok);
    EXPECT_LE(cached_entries(), 3u) << "after " << login;
  }
  // Asked again, only the 3 cached first come from the cache: the others found it full.
  auto calls_before = users_calls();
  for (int i = 0; i < 10; ++i) status("user" + std::to_string(i));
  EXPECT_EQ(users_calls() - calls_before, 7u);
  EXPECT_LE(cached_entries(), 3u);
  // Expired entries make room again.
  advance(61s);
  status("user9");
  calls_before = users_calls();
  status("user9");
  EXPECT_EQ(users_calls(), calls_before);
  EXPECT_LE(cached_entries(), 3u);
}

TEST_F(status_lookup_test, a_full_cache_drops_expired_answers_to_make_room) {
  status_lookup_config config;
  config.max_cached = 2;  // ttl 60 s, swept at 60 s, 120 s, ...
  start(config);
  for (auto login : {"a", "b", "c"}) helix->add_user(login);
  advance(30s);
  status("a");
  status("b");
  advance(30s);  // the timed sweep at 60 s: nothing has expired yet
  advance(31s);  // both expired at 90 s; the next timed sweep is at 120 s
  EXPECT_EQ(cached_entries(), 2u);
  status("c");  // finds the cache full: sweeps it, then caches c
  EXPECT_EQ(cached_entries(), 1u);
  auto calls = users_calls();
  EXPECT_EQ(code_of(status("c")), errc::ok);
  EXPECT_EQ(users_calls(), calls);
}

TEST_F(status_lookup_test, expired_answers_are_swept_every_ttl_without_new_lookups) {
  start();  // ttl 60 s
  helix->add_user("alice");
  helix->add_user("bob");
  status("alice");
  advance(30s);
  status("bob");
  status("ghost");
  EXPECT_EQ(cached_entries(), 3u);
  advance(30s);  // the first sweep: alice has expired, bob and ghost have not
  EXPECT_EQ(cached_entries(), 2u);
  advance(60s);  // the next sweep
  EXPECT_EQ(cached_entries(), 0u);
}

TEST_F(status_lookup_test, the_ticket_is_lookup_work_with_a_deadline) {
  start();  // deadline 10 s
  helix->add_user("alice");
  auto asked_at = std::chrono::steady_clock::now();
  status("alice");
  ASSERT_EQ(users_calls(), 1u);
  const auto& t = helix->users_calls[0].ticket;
  EXPECT_EQ(t.cls, twitch::work_class::lookup);
  EXPECT_GE(t.deadline, asked_at + 10s);
  EXPECT_LE(t.deadline, std::chrono::steady_clock::now() + 10s);
  ASSERT_EQ(helix->streams_calls.size(), 1u);
  EXPECT_EQ(helix->streams_calls[0].ticket.cls, twitch::work_class::lookup);
}

TEST_F(status_lookup_test,
       the_ticket_is_abandoned_only_once_every_waiting_client_is_gone) {
  start();
  helix->add_user("alice");
  helix->hold_users = true;
  auto f1 = make_flag(), f2 = make_flag(), f3 = make_flag();
  status("alice", f1);
  status("alice", f2);
  status("alice", f3);
  ASSERT_EQ(users_calls(), 1u);
  const auto& abandoned = helix->users_calls[0].ticket.abandoned;
  ASSERT_TRUE(abandoned);
  EXPECT_FALSE(abandoned());
  f1->store(true);
  EXPECT_FALSE(abandoned());
  f3->store(true);
  EXPECT_FALSE(abandoned());
  f2->store(true);
  EXPECT_TRUE(abandoned());
}

TEST_F(status_lookup_test, a_client_that_cannot_hang_up_keeps_the_lookup_wanted) {
  start();
  helix->add_user("bob");
  helix->hold_users = true;
  auto flag = make_flag();
  status("bob", flag);
  status("bob");  // no flag: this client never goes away
  ASSERT_EQ(users_calls(), 1u);
  const auto& abandoned = helix->users_calls[0].ticket.abandoned;
  ASSERT_TRUE(abandoned);
  flag->store(true);
  EXPECT_FALSE(abandoned());
}

}  // namespace
}  // namespace eventsubd::testing
