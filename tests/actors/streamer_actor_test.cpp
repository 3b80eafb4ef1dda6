#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "tests/actors/actor_test_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class streamer_actor_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<flaky_backend> backend = std::make_shared<flaky_backend>();
  storage_options storage_opts;
  storage_actor storage;
  event_bus_actor bus;
  streamer_supervisor_actor supervisor;
  std::shared_ptr<change_log> changes = std::make_shared<change_log>();
  stream_listener_actor listener;

  void start() {
    storage = spawn_loaded_storage(sys, backend, storage_opts);
    bus = sys.spawn(event_bus_fn);
    supervisor = sys.spawn(streamer_supervisor_fn, storage, bus, stream_watcher_actor{},
                           streamer_tuning{});
    listener = sys.spawn(recording_listener, changes);
    caf::anon_send(bus, subscribe_atom::value, listener);
  }

  ~streamer_actor_test() override {
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

  std::vector<stream_status> stored_statuses() {
    std::vector<stream_status> out;
    out = backend->load_statuses().value();
    return out;
  }
};

TEST_F(streamer_actor_test, online_is_stored_and_published) {
  start();
  auto t0 = now() - 60s;
  auto r = observe(online_report("1", "alpha", "s1", t0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.body, R"({"status":"success"})");
  auto statuses = stored_statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses[0].is_live);
  EXPECT_EQ(statuses[0].last_event_type, "stream.online");
  ASSERT_TRUE(changes->wait_for(1));
  EXPECT_EQ(changes->changes[0].kind, change_kind::online);
  EXPECT_EQ(changes->changes[0].login, "alpha");
  EXPECT_EQ(changes->changes[0].source, change_source::webhook);
}

TEST_F(streamer_actor_test, duplicates_and_outdated_reports_write_nothing) {
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(*observe(online_report("2", "beta", "s1", t0)).body,
            R"({"status":"success"})");
  EXPECT_EQ(*observe(online_report("2", "beta", "s1", t0)).body,
            R"({"status":"duplicate"})");
  ASSERT_EQ(*observe(offline_report("2", "beta", t0 + 60s)).body,
            R"({"status":"success"})");
  EXPECT_EQ(*observe(offline_report("2", "beta", t0 + 61s)).body,
            R"({"status":"duplicate"})");
  EXPECT_EQ(*observe(online_report("2", "beta", "s1", t0)).body,
            R"({"status":"outdated"})");  // the stream is over: never live again
  std::vector<event_record> events;
  events = backend->load_events(100).value();
  EXPECT_EQ(events.size(), 2u);
  EXPECT_FALSE(stored_statuses()[0].is_live);
  ASSERT_TRUE(changes->wait_for(2));
  EXPECT_EQ(changes->size(), 2u);
}

// The issue's reproduction: online 111, offline, online 222 that started before the
// offline was sent (a restart within the second): 222 is a new stream and applies.
TEST_F(streamer_actor_test, a_new_stream_id_applies_whatever_its_timestamps) {
  start();
  auto t0 = now() - 120s;
  ASSERT_EQ(*observe(online_report("2", "beta", "111", t0)).body,
            R"({"status":"success"})");
  ASSERT_EQ(*observe(offline_report("2", "beta", t0 + 60s)).body,
            R"({"status":"success"})");
  auto second = online_report("2", "beta", "222", t0 + 59s);
  second.sent_at = t0 + 61s;
  EXPECT_EQ(*observe(second).body, R"({"status":"success"})");
  EXPECT_TRUE(stored_statuses()[0].is_live);
  EXPECT_EQ(*observe(online_report("2", "beta", "111", t0)).body,
            R"({"status":"outdated"})");
  EXPECT_TRUE(stored_statuses()[0].is_live);
}

TEST_F(streamer_actor_test, a_refused_write_is_not_committed_so_a_retry_applies) {
  storage_opts.queue_limit = 1;
  start();
  backend->down = true;
  // One write fills the queue while the backend is down.
  auto t0 = now() - 10s;
  ASSERT_TRUE(observe(online_report("5", "epsilon", "s5", t0)).ok());
  auto refused = observe(online_report("3", "gamma", "s1", t0));
  EXPECT_EQ(refused.code, errc::unavailable);
  backend->down = false;
  // Once the storage has replayed its queue (within its backoff), the retry applies.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  query_result retried = refused;
  while (!retried.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    retried = observe(online_report("3", "gamma", "s1", t0));
  }
  ASSERT_TRUE(retried.ok()) << retried.detail;
  EXPECT_EQ(*retried.body, R"({"status":"success"})");
  auto statuses = stored_statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].is_live);
  EXPECT_TRUE(statuses[1].is_live);
}

TEST_F(streamer_actor_test, state_is_restored_from_storage_after_a_restart) {
  // A stored live status for stream s9, as a previous run left it.
  auto started = now() - 300s;
  ASSERT_TRUE((backend->put_status(
      {"4", "delta", "delta", true,
       R"({"id":"s9","started_at":")" + format_rfc3339(started) + R"("})",
       format_rfc3339(started), "stream.online"})));
  start();
  EXPECT_EQ(*observe(online_report("4", "delta", "s9", started)).body,
            R"({"status":"duplicate"})");
  EXPECT_EQ(*observe(offline_report("4", "delta", started - 10s)).body,
            R"({"status":"outdated"})");
  EXPECT_EQ(*observe(offline_report("4", "delta", now())).body,
            R"({"status":"success"})");
}

TEST_F(streamer_actor_test, broadcasters_get_separate_actors) {
  start();
  auto t0 = now() - 10s;
  EXPECT_EQ(*observe(online_report("5", "eps", "same-id", t0)).body,
            R"({"status":"success"})");
  EXPECT_EQ(*observe(online_report("6", "zeta", "same-id", t0)).body,
            R"({"status":"success"})");
  EXPECT_EQ(stored_statuses().size(), 2u);
}

TEST_F(streamer_actor_test, a_renamed_broadcaster_moves_its_status_to_the_new_login) {
  start();
  auto t0 = now() - 60s;
  ASSERT_EQ(*observe(online_report("8", "oldname", "s1", t0)).body,
            R"({"status":"success"})");
  ASSERT_EQ(*observe(offline_report("8", "newname", now())).body,
            R"({"status":"success"})");
  auto statuses = stored_statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].username, "newname");
  EXPECT_FALSE(statuses[0].is_live);
  captured_reply old_status;
  caf::anon_send(storage, status_atom::value, std::string("oldname"),
                 old_status.channel());
  EXPECT_EQ(old_status.get().code, errc::not_found);
}

TEST(event_bus_test, every_listener_gets_every_change_and_dead_ones_are_dropped) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto bus = sys.spawn(event_bus_fn);
  auto log_a = std::make_shared<change_log>();
  auto log_b = std::make_shared<change_log>();
  auto a = sys.spawn(recording_listener, log_a);
  auto b = sys.spawn(recording_listener, log_b);
  caf::anon_send(bus, subscribe_atom::value, a);
  caf::anon_send(bus, subscribe_atom::value, b);
  caf::anon_send(bus, subscribe_atom::value, b);  // twice: still one delivery
  stream_change change{change_kind::online,   "1", "x", "X", "{}", "t",
                       change_source::webhook};
  caf::anon_send(bus, publish_atom::value, change);
  ASSERT_TRUE(log_a->wait_for(1));
  ASSERT_TRUE(log_b->wait_for(1));
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  b = nullptr;
  change.kind = change_kind::offline;
  caf::anon_send(bus, publish_atom::value, change);
  ASSERT_TRUE(log_a->wait_for(2));
  EXPECT_EQ(log_a->changes[1].kind, change_kind::offline);
  EXPECT_EQ(log_b->size(), 1u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(bus, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace eventsubd::testing
