#include "actors/storage_actor.hpp"

#include "tests/actors/actor_test_support.hpp"
#include "tests/common/eventually.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace eventsubd::testing {
namespace {

class storage_actor_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<flaky_backend> backend = std::make_shared<flaky_backend>();
  storage_actor storage =
      spawn_loaded_storage(sys, std::shared_ptr<storage::backend>(backend));
  caf::scoped_actor self{sys};

  ~storage_actor_test() override {
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  }

  query_result ask_status(const std::string& login) {
    captured_reply reply;
    caf::anon_send(storage, status_atom::value, login, reply.channel());
    return reply.get();
  }

  bool record(const transition& t) {
    bool ok = false;
    self->request(storage, std::chrono::seconds(5), record_atom::value, t)
        .receive([&](caf::ok_atom) { ok = true; },
                 [&](const caf::error&) { ok = false; });
    return ok;
  }

  errc ask_health_code() {
    captured_reply reply;
    caf::anon_send(storage, health_atom::value, reply.channel());
    return reply.get().code;
  }

  template <class Pred>
  static bool eventually(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  static transition live_transition(const std::string& login, const std::string& id) {
    transition t;
    t.status = {id,
                login,
                login,
                true,
                R"({"id":"s1"})",
                "2024-01-01T00:00:00.000000+00:00",
                "stream.online"};
    t.event = {"msg-" + id,
               "stream.online",
               id,
               login,
               login,
               "2024-01-01T00:00:00.000000+00:00",
               1704067200.0,
               R"({"id":"s1"})",
               ""};
    return t;
  }
};

TEST_F(storage_actor_test, a_recorded_transition_is_readable_at_once) {
  EXPECT_EQ(ask_status("alpha").code, errc::not_found);
  ASSERT_TRUE(record(live_transition("alpha", "1")));
  auto status = ask_status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status.body->find(R"("is_live":true)"), std::string::npos);
  EXPECT_NE(status.body->find(R"("source":"storage")"), std::string::npos);

  captured_reply live;
  caf::anon_send(storage, live_atom::value, live.channel());
  auto live_body = live.get();
  EXPECT_NE(live_body.body->find(R"("count":1)"), std::string::npos);

  captured_reply events;
  caf::anon_send(storage, events_atom::value, uint32_t{10}, events.channel());
  EXPECT_NE(events.get().body->find("msg-1"), std::string::npos);

  // The backend holds it too (write-through).
  std::vector<stream_status> stored;
  stored = backend->load_statuses().value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(stored[0].is_live);
}

TEST_F(storage_actor_test, writes_in_an_outage_are_answered_then_replayed_in_order) {
  backend->down = true;
  ASSERT_TRUE(record(live_transition("beta", "2")));  // queued: answered all the same
  ASSERT_TRUE(record(live_transition("gamma", "3")));
  EXPECT_TRUE(ask_status("beta").ok());  // served from the read model at once
  EXPECT_TRUE(ask_health_code() == errc::unavailable);
  std::vector<event_record> stored;
  stored = backend->load_events(10).value();
  EXPECT_TRUE(stored.empty());

  backend->down = false;
  ASSERT_TRUE(eventually([&] { return ask_health_code() == errc::ok; }));
  ASSERT_TRUE(record(live_transition("delta", "4")));  // after the replayed ones
  stored = backend->load_events(10).value();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].id, "msg-4");
  EXPECT_EQ(stored[1].id, "msg-3");
  EXPECT_EQ(stored[2].id, "msg-2");
}

TEST_F(storage_actor_test, a_backend_that_answers_pings_but_refuses_writes_stays_down) {
  backend->refuse_writes = true;
  ASSERT_TRUE(record(live_transition("epsilon", "5")));  // queued: answered all the same
  ASSERT_TRUE(eventually([&] { return backend->refused >= 1; }));
  auto pings_at_first_refusal = backend->pings.load();
  // Retried with backoff (250, 500, 1000 ms), each time by sending the write again: a
  // PING that succeeds must not count as "back" (that reported a new outage every time).
  ASSERT_TRUE(eventually([&] { return backend->refused >= 4; }));
  EXPECT_EQ(ask_health_code(), errc::unavailable);
  EXPECT_LE(backend->pings.load() - pings_at_first_refusal, 1);  // one already on its way
  std::vector<event_record> stored;
  stored = backend->load_events(10).value();
  EXPECT_TRUE(stored.empty());

  backend->refuse_writes = false;
  ASSERT_TRUE(eventually([&] { return ask_health_code() == errc::ok; }));
  stored = backend->load_events(10).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, "msg-5");
}

TEST_F(storage_actor_test, health_follows_the_backend) {
  EXPECT_EQ(ask_health_code(), errc::ok);
  backend->down = true;  // no write needed: the storage probes every second
  ASSERT_TRUE(eventually([&] { return ask_health_code() == errc::unavailable; }));
  captured_reply unhealthy;
  caf::anon_send(storage, health_atom::value, unhealthy.channel());
  EXPECT_EQ(*unhealthy.get().body, R"({"status":"unhealthy","storage":"disconnected"})");
  backend->down = false;
  ASSERT_TRUE(eventually([&] { return ask_health_code() == errc::ok; }));
  captured_reply healthy;
  caf::anon_send(storage, health_atom::value, healthy.channel());
  EXPECT_EQ(*healthy.get().body, R"({"status":"healthy","storage":"connected"})");
}

TEST(storage_confirm_test, with_answers_only_when_stored_an_outage_answers_nothing) {
  // REDIS_MIN_REPLICAS: a write is acknowledged only once the backend confirmed it, also
  // the ones queued before or during an outage (a refused batch stays queued).
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto backend = std::make_shared<flaky_backend>();
  storage_options opts;
  opts.answer_when_queued = false;
  auto storage = spawn_loaded_storage(sys, backend, opts);
  // Stopped however the test ends (the actor system waits for every actor).
  std::shared_ptr<void> stop(nullptr, [storage](void*) {
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  });
  std::atomic<int> answered{0};
  auto put = [&](const std::string& login) {
    stream_status s{"id-" + login,          login,           login, false, "",
                    "2024-01-01T00:00:00Z", "stream.offline"};
    // Asked from an actor of its own, so the test can look while it waits.
    sys.spawn([&answered, storage, s](caf::event_based_actor* asker) {
      asker
          ->request(storage, caf::infinite, caf::put_atom::value,
                    status_update{s, false, {}})
          .then([&answered](caf::ok_atom) { ++answered; },
                [](const caf::error&) { ADD_FAILURE() << "refused"; });
    });
  };
  backend->refuse_writes = true;  // as Redis when WAIT counts too few replicas
  put("one");
  ASSERT_TRUE(eventually([&] { return backend->refused >= 2; }));
  put("two");  // while down: queued, not answered
  captured_reply health;
  caf::anon_send(storage, health_atom::value, health.channel());
  EXPECT_EQ(health.get().code, errc::unavailable);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(answered.load(), 0);
  captured_reply readable;  // the read model has it already
  caf::anon_send(storage, status_atom::value, std::string("two"), readable.channel());
  EXPECT_TRUE(readable.get().ok());

  backend->refuse_writes = false;
  ASSERT_TRUE(eventually([&] { return answered.load() == 2; }));
  std::vector<stream_status> stored;
  stored = backend->load_statuses().value();
  EXPECT_EQ(stored.size(), 2u);
}

TEST(storage_queue_test, a_full_queue_refuses_writes_and_changes_nothing) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto backend = std::make_shared<flaky_backend>();
  storage_options opts;
  opts.queue_limit = 2;
  auto storage = spawn_loaded_storage(sys, backend, opts);
  caf::scoped_actor self{sys};
  auto put = [&](const std::string& login) {
    bool ok = false;
    stream_status s{"id-" + login,          login,           login, false, "",
                    "2024-01-01T00:00:00Z", "stream.offline"};
    self->request(storage, std::chrono::seconds(5), caf::put_atom::value,
                  status_update{s, false, {}})
        .receive([&](caf::ok_atom) { ok = true; },
                 [&](const caf::error&) { ok = false; });
    return ok;
  };
  backend->down = true;
  EXPECT_TRUE(put("one"));
  EXPECT_TRUE(put("two"));
  EXPECT_FALSE(put("three"));  // refused: the queue holds two
  captured_reply refused;
  caf::anon_send(storage, status_atom::value, std::string("three"), refused.channel());
  EXPECT_EQ(refused.get().code, errc::not_found);
  backend->down = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (backend->batches == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(put("three"));
  std::vector<stream_status> stored;
  stored = backend->load_statuses().value();
  EXPECT_EQ(stored.size(), 3u);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST(storage_queue_test, the_load_is_retried_until_the_backend_answers) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto backend = std::make_shared<flaky_backend>();
  backend->fail_loads = true;
  auto storage = spawn_storage(sys, backend);
  captured_reply early;
  caf::anon_send(storage, status_atom::value, std::string("x"), early.channel());
  EXPECT_EQ(early.get().code, errc::unavailable);
  backend->fail_loads = false;
  caf::scoped_actor self{sys};
  bool ready = false;
  self->request(storage, std::chrono::seconds(5), ready_atom::value)
      .receive([&](caf::ok_atom) { ready = true; }, [](const caf::error&) {});
  EXPECT_TRUE(ready);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST_F(storage_actor_test, streamers_are_put_listed_revoked_and_removed) {
  streamer_record s{"42", "gamma", "Gamma", "sub-on", "sub-off", true};
  self->request(storage, std::chrono::seconds(5), caf::put_atom::value, s)
      .receive([](caf::ok_atom) {}, [](caf::error&) { FAIL(); });
  ASSERT_TRUE(record(live_transition("gamma", "42")));

  captured_reply list;
  caf::anon_send(storage, streamers_atom::value, list.channel());
  EXPECT_NE(list.get().body->find(R"("subscription_id":"sub-on")"), std::string::npos);

  caf::anon_send(
      storage, revoked_atom::value,
      revocation_notice{"sub-off", "stream.offline", "42", "authorization_revoked"});
  std::vector<streamer_record> after;
  self->request(storage, std::chrono::seconds(5), caf::get_atom::value,
                streamers_atom::value)
      .receive([&](std::vector<streamer_record>& v) { after = std::move(v); },
               [](caf::error&) { FAIL(); });
  ASSERT_EQ(after.size(), 1u);
  EXPECT_FALSE(after[0].is_active);
  EXPECT_EQ(after[0].online_subscription_id, "sub-on");
  EXPECT_TRUE(after[0].offline_subscription_id.empty());

  bool existed = false;
  self->request(storage, std::chrono::seconds(5), caf::delete_atom::value,
                std::string("gamma"))
      .receive([&](bool e) { existed = e; }, [](caf::error&) { FAIL(); });
  EXPECT_TRUE(existed);
  EXPECT_EQ(ask_status("gamma").code, errc::not_found);  // the status went with it
  self->request(storage, std::chrono::seconds(5), caf::delete_atom::value,
                std::string("gamma"))
      .receive([&](bool e) { existed = e; }, [](caf::error&) { FAIL(); });
  EXPECT_FALSE(existed);
}

TEST_F(storage_actor_test, status_and_memory_by_user_id) {
  auto t = live_transition("delta", "77");
  t.memory.current = stream_memory::phase::live;
  t.memory.live_id = "s-77";
  ASSERT_TRUE(record(t));
  stored_broadcaster found;
  self->request(storage, std::chrono::seconds(5), caf::get_atom::value, by_id_atom::value,
                std::string("77"))
      .receive([&](stored_broadcaster& v) { found = std::move(v); },
               [](caf::error&) { FAIL(); });
  ASSERT_TRUE(found.has_status);
  EXPECT_EQ(found.status.username, "delta");
  ASSERT_TRUE(found.has_memory);
  EXPECT_EQ(found.memory.live_id, "s-77");
  self->request(storage, std::chrono::seconds(5), caf::get_atom::value, by_id_atom::value,
                std::string("78"))
      .receive([&](stored_broadcaster& v) { found = std::move(v); },
               [](caf::error&) { FAIL(); });
  EXPECT_FALSE(found.has_status);
  EXPECT_FALSE(found.has_memory);
}

TEST(storage_actor_load, starts_from_what_the_backend_holds) {
  auto backend = std::make_shared<storage::memory_backend>();
  ASSERT_TRUE((backend->put_status({"9", "preloaded", "Preloaded", true, R"({"id":"x"})",
                                    "2024-01-01T00:00:00Z", "stream.online"})));
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto storage = spawn_loaded_storage(sys, std::shared_ptr<storage::backend>(backend));
  captured_reply reply;
  caf::anon_send(storage, status_atom::value, std::string("preloaded"), reply.channel());
  auto r = reply.get();
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.body->find("Preloaded"), std::string::npos);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST(storage_actor_load, a_backend_that_dies_with_the_process_gets_no_writes) {
  // Memory mode: the read model is the whole store; the backend only loads (nothing).
  auto backend = std::make_shared<storage::memory_backend>();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto storage = spawn_loaded_storage(sys, std::shared_ptr<storage::backend>(backend));
  caf::scoped_actor self{sys};
  transition t;
  t.status = {"7",
              "solo",
              "Solo",
              true,
              R"({"id":"s1"})",
              "2024-01-01T00:00:00Z",
              "stream.online"};
  t.event.id = "m1";
  t.event.event_type = "stream.online";
  t.event.broadcaster_id = "7";
  t.event.broadcaster_login = "solo";
  t.seen_id = "m1";
  t.seen_ttl_s = 600;
  bool ok = false;
  self->request(storage, std::chrono::seconds(5), record_atom::value, t)
      .receive([&](caf::ok_atom) { ok = true; }, [&](const caf::error&) {});
  ASSERT_TRUE(ok);
  captured_reply reply;
  caf::anon_send(storage, status_atom::value, std::string("solo"), reply.channel());
  EXPECT_TRUE(reply.get().ok());  // served from the read model
  std::vector<stream_status> statuses;
  std::vector<event_record> events;
  std::vector<std::string> seen;
  statuses = backend->load_statuses().value();
  events = backend->load_events(10).value();
  seen = backend->load_seen().value();
  EXPECT_TRUE(statuses.empty());
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(seen.empty());
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST(reply_once_test, a_dropped_reply_answers_unavailable) {
  captured_reply reply;
  { auto channel = reply.channel(); }  // never called
  EXPECT_EQ(reply.get().code, errc::unavailable);
}

TEST(reply_once_test, only_the_first_answer_counts) {
  std::vector<errc> seen;
  {
    reply_once r{[&](query_result q) { seen.push_back(q.code); }};
    auto copy = r;
    r(query_result::failure(errc::not_found, "x"));
    copy(query_result::success(make_body("{}")));
  }
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], errc::not_found);
}

}  // namespace
}  // namespace eventsubd::testing
