// The polling side: refresher timing (deterministic scheduler) and the streamer actor's
// handling of poll results (metadata, corrections, debounced offline).
#include "actors/event_bus.hpp"
#include "actors/refresher.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/actors/fake_helix_actor.hpp"

#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

TEST(refresher_test, rounds_follow_the_interval_deterministically) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system sys{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  auto helix = std::make_shared<fake_helix_state>();
  auto backend = std::make_shared<flaky_backend>();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(backend->put_streamer(
        {std::to_string(i), "user" + std::to_string(i), "U", "", "", true}));
  auto storage = spawn_storage(sys, std::shared_ptr<storage::backend>(backend));
  sched.run();  // loaded
  auto bus = sys.spawn(event_bus_fn);
  auto twitch = sys.spawn(fake_helix, helix);
  auto supervisor = sys.spawn(streamer_supervisor_fn, storage, bus,
                              stream_watcher_actor{}, streamer_tuning{});
  auto refresher =
      sys.spawn(refresher_fn, std::chrono::seconds(300), twitch, storage, supervisor);
  sched.run();
  caf::anon_send(refresher, refresh_atom::value, true);
  sched.run();
  EXPECT_EQ(helix->streams_requests.load(),
            1);  // one request for all monitored streamers
  std::vector<stream_status> statuses;
  statuses = backend->load_statuses().value();
  EXPECT_EQ(statuses.size(), 3u);  // initialised (offline) without events
  std::vector<event_record> events;
  events = backend->load_events(10).value();
  EXPECT_TRUE(events.empty());
  sched.advance_time(299s);
  sched.run();
  EXPECT_EQ(helix->streams_requests.load(), 1);
  sched.advance_time(1s);
  sched.run();
  EXPECT_EQ(helix->streams_requests.load(), 2);
  sched.advance_time(300s);
  sched.run();
  EXPECT_EQ(helix->streams_requests.load(), 3);
  for (auto h :
       {caf::actor_cast<caf::actor>(refresher), caf::actor_cast<caf::actor>(supervisor),
        caf::actor_cast<caf::actor>(twitch), caf::actor_cast<caf::actor>(bus),
        caf::actor_cast<caf::actor>(storage)})
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  sched.run();
}

class poll_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<flaky_backend> backend = std::make_shared<flaky_backend>();
  storage_actor storage =
      spawn_loaded_storage(sys, std::shared_ptr<storage::backend>(backend));
  event_bus_actor bus = sys.spawn(event_bus_fn);
  std::shared_ptr<change_log> changes = std::make_shared<change_log>();
  stream_listener_actor listener = sys.spawn(recording_listener, changes);
  streamer_supervisor_actor supervisor;

  void start(streamer_tuning tuning) {
    caf::anon_send(bus, subscribe_atom::value, listener);
    supervisor =
        sys.spawn(streamer_supervisor_fn, storage, bus, stream_watcher_actor{}, tuning);
  }
  ~poll_test() override {
    for (auto h :
         {caf::actor_cast<caf::actor>(supervisor), caf::actor_cast<caf::actor>(bus),
          caf::actor_cast<caf::actor>(storage), caf::actor_cast<caf::actor>(listener)})
      if (h) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  }

  query_result observe(const stream_report& r) {
    captured_reply reply;
    caf::anon_send(supervisor, observe_atom::value, r, reply.channel());
    return reply.get();
  }
  void poll(const std::string& user_id, std::optional<twitch::twitch_stream> live) {
    auto p = poll_report::about(user_id, "user" + user_id, "User");
    p.live = live.has_value();
    if (live) {
      p.stream_id = live->id;
      p.started_at = live->started_at;
      p.stream_raw = live->raw;
    }
    caf::anon_send(supervisor, poll_atom::value, p);
  }
  /// A round trip through the streamer actor: everything sent before has been handled.
  void settle(const std::string& user_id) {
    observe(offline_report(user_id, "user" + user_id, now() - 3600s));
  }
  stream_status status_of(const std::string& login) {
    std::vector<stream_status> all;
    all = backend->load_statuses().value();
    for (auto& s : all)
      if (s.username == login) return s;
    return {};
  }
  std::vector<event_record> events() {
    std::vector<event_record> out;
    out = backend->load_events(100).value();
    return out;
  }
};

TEST_F(poll_test, offline_needs_two_misses_after_the_grace_period) {
  start({2, 0s, 120s});
  ASSERT_TRUE(observe(online_report("1", "user1", "s1", now() - 60s)).ok());
  poll("1", std::nullopt);  // one miss: a blip
  ASSERT_TRUE(changes->wait_for(1));
  EXPECT_TRUE(status_of("user1").is_live);
  poll("1", std::nullopt);  // second miss: offline, from polling
  ASSERT_TRUE(changes->wait_for(2));
  EXPECT_FALSE(status_of("user1").is_live);
  auto evs = events();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].event_type, "stream.offline");
  EXPECT_EQ(evs[0].source, "polling");
  EXPECT_EQ(changes->changes[1].source, change_source::polling);
}

TEST_F(poll_test, no_polling_offline_within_the_grace_period) {
  start({2, 180s, 120s});
  ASSERT_TRUE(observe(online_report("2", "user2", "s2", now() - 10s)).ok());
  for (int i = 0; i < 5; ++i) poll("2", std::nullopt);
  poll("2", helix_stream("2", "s2", "Chess"));  // then a real answer: metadata
  ASSERT_TRUE(changes->wait_for(2));
  EXPECT_TRUE(status_of("user2").is_live);
  EXPECT_EQ(events().size(), 1u);
}

TEST_F(poll_test, live_poll_updates_metadata_without_an_event) {
  start({});
  ASSERT_TRUE(observe(online_report("3", "user3", "s3", now() - 60s)).ok());
  poll("3", helix_stream("3", "s3", "Just Chatting"));
  ASSERT_TRUE(changes->wait_for(2));
  EXPECT_EQ(changes->changes[1].kind, change_kind::metadata);
  EXPECT_NE(status_of("user3").stream_data.find("Just Chatting"), std::string::npos);
  EXPECT_EQ(events().size(), 1u);
}

TEST_F(poll_test, a_missed_online_is_corrected_from_polling) {
  start({});
  ASSERT_TRUE(observe(offline_report("4", "user4", now() - 600s)).ok());
  poll("4", helix_stream("4", "s4", "Art"));
  ASSERT_TRUE(changes->wait_for(2));
  EXPECT_TRUE(status_of("user4").is_live);
  auto evs = events();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].event_type, "stream.online");
  EXPECT_EQ(evs[0].source, "polling");
}

TEST_F(poll_test, helix_lagging_after_offline_does_not_flip_back) {
  start({});
  ASSERT_TRUE(observe(online_report("5", "user5", "s5", now() - 600s)).ok());
  ASSERT_TRUE(observe(offline_report("5", "user5", now())).ok());
  poll("5", helix_stream("5", "s5", "Art"));  // Helix still lists the ended stream
  settle("5");
  EXPECT_FALSE(status_of("user5").is_live);
  EXPECT_EQ(events().size(), 2u);
}

TEST_F(poll_test, initial_poll_sets_status_without_events) {
  start({});
  poll_report p{"6",
                "user6",
                "User6",
                true,
                "s6",
                format_rfc3339(now() - 30s),
                R"({"id":"s6","game_name":"Go"})",
                true};
  caf::anon_send(supervisor, poll_atom::value, p);
  poll_report q{"7", "user7", "User7", false, "", "", "", true};
  caf::anon_send(supervisor, poll_atom::value, q);
  settle("6");
  settle("7");
  EXPECT_TRUE(status_of("user6").is_live);
  EXPECT_FALSE(status_of("user7").is_live);
  EXPECT_TRUE(events().empty());  // the settle probes are outdated or duplicates
}

}  // namespace
}  // namespace eventsubd::testing
