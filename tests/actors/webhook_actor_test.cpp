// The webhook actor under CAF's deterministic test scheduler: timers fire on demand.
#include "actors/webhook_actor.hpp"

#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/common/fixtures.hpp"
#include "twitch/signature.hpp"
#include "twitch/webhook_gate.hpp"

#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* secret = "actor-test-secret-42";

/// What the HTTP thread's gate hands the actor for a signed delivery (or its refusal).
twitch::gate_verdict gated(const std::string& body, const std::string& id) {
  static const twitch::webhook_gate gate{{secret, {}, std::chrono::seconds(600)}};
  webhook_request req;
  req.message_id = id;
  req.timestamp = format_rfc3339(now());
  req.signature = twitch::signature_verifier(secret).sign(id, req.timestamp, body);
  req.message_type = "notification";
  req.body = body;
  req.has_id = req.has_timestamp = req.has_signature = req.has_type = true;
  return gate.check(std::move(req));
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

class webhook_actor_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::shared_ptr<flaky_backend> backend = std::make_shared<flaky_backend>();
  storage_options storage_opts;  // a derived fixture may change it in its constructor
  storage_actor storage;
  event_bus_actor bus;
  streamer_supervisor_actor supervisor;
  webhook_actor webhook;

  void SetUp() override {
    storage =
        spawn_storage(sys, std::shared_ptr<storage::backend>(backend), storage_opts);
    bus = sys.spawn(event_bus_fn);
    supervisor = sys.spawn(streamer_supervisor_fn, storage, bus, stream_watcher_actor{},
                           streamer_tuning{});
    sched.run();
    webhook_config w;
    w.dedupe_horizon = 0s;  // every sweep forgets everything seen before it
    webhook = sys.spawn(webhook_fn, w, supervisor, storage, subscription_manager_actor{});
    sched.run();
  }

  void TearDown() override {
    for (auto h :
         {caf::actor_cast<caf::actor>(webhook), caf::actor_cast<caf::actor>(supervisor),
          caf::actor_cast<caf::actor>(bus), caf::actor_cast<caf::actor>(storage)})
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  query_result deliver(const std::string& body, const std::string& id) {
    auto verdict = gated(body, id);
    EXPECT_FALSE(verdict.answered) << verdict.answer.detail;
    captured_reply reply;
    caf::anon_send(webhook, webhook_atom::value, std::move(verdict.event),
                   reply.channel());
    sched.run();
    EXPECT_EQ(reply.future.wait_for(0s), std::future_status::ready);
    return reply.get();
  }
};

TEST_F(webhook_actor_test, seen_ids_expire_on_the_sweep_timer) {
  auto body = fixture("vector_a.body");  // channel.follow: acknowledged and ignored
  EXPECT_EQ(*deliver(body, "id-1").body, R"({"status":"ignored"})");
  EXPECT_EQ(*deliver(body, "id-1").body, R"({"status":"duplicate"})");
  sched.advance_time(59s);
  EXPECT_EQ(*deliver(body, "id-1").body, R"({"status":"duplicate"})");
  sched.advance_time(1s);  // the sweep runs every 60 s
  sched.run();
  EXPECT_EQ(*deliver(body, "id-1").body, R"({"status":"ignored"})");
}

/// The storage's write queue holds one write: while the backend is down, a second
/// write is refused.
class webhook_queue_test : public webhook_actor_test {
 protected:
  webhook_queue_test() { storage_opts.queue_limit = 1; }
};

TEST_F(webhook_queue_test, a_refused_store_forgets_the_id_so_the_retry_is_applied) {
  backend->down = true;
  // Accepted while the backend is down: queued, answered.
  EXPECT_EQ(*deliver(fixture("stream_online.json"), "id-1").body,
            R"({"status":"success"})");
  auto offline = fixture("stream_offline.json");
  EXPECT_EQ(deliver(offline, "id-2").code, errc::unavailable);  // the queue is full
  EXPECT_EQ(deliver(offline, "id-2").code, errc::unavailable);  // not a duplicate
  backend->down = false;
  sched.advance_time(1s);  // the storage's probe finds the backend back and replays
  sched.run();
  auto retry = deliver(offline, "id-2");
  ASSERT_TRUE(retry.ok()) << retry.detail;
  EXPECT_EQ(*retry.body, R"({"status":"success"})");
  std::vector<event_record> events;
  events = backend->load_events(10).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "id-2");
  EXPECT_EQ(events[1].id, "id-1");
}

/// Writes are answered only once the backend has them (REDIS_MIN_REPLICAS).
class webhook_confirm_test : public webhook_actor_test {
 protected:
  webhook_confirm_test() { storage_opts.answer_when_queued = false; }

  /// Hands a delivery over without waiting for its answer.
  captured_reply send(const std::string& body, const std::string& id) {
    auto verdict = gated(body, id);
    EXPECT_FALSE(verdict.answered) << verdict.answer.detail;
    captured_reply reply;
    caf::anon_send(webhook, webhook_atom::value, std::move(verdict.event),
                   reply.channel());
    sched.run();
    return reply;
  }
};

TEST_F(webhook_confirm_test, a_redelivery_while_the_change_waits_is_answered_as_it_is) {
  backend->down = true;
  auto first = send(fixture("stream_online.json"), "id-1");
  auto again = send(fixture("stream_online.json"), "id-1");  // Twitch gave up waiting
  // Neither is acknowledged while the change is not stored: no "duplicate" either.
  EXPECT_EQ(first.future.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(again.future.wait_for(0s), std::future_status::timeout);
  backend->down = false;
  sched.advance_time(1s);  // the replay after the backoff stores it
  sched.run();
  ASSERT_EQ(first.future.wait_for(0s), std::future_status::ready);
  ASSERT_EQ(again.future.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(*first.get().body, R"({"status":"success"})");
  EXPECT_EQ(*again.get().body, R"({"status":"duplicate"})");
  EXPECT_EQ(*deliver(fixture("stream_online.json"), "id-1").body,
            R"({"status":"duplicate"})");
}

TEST_F(webhook_actor_test, processed_ids_are_kept_by_the_storage_and_read_back) {
  EXPECT_EQ(*deliver(fixture("stream_online.json"), "id-3").body,
            R"({"status":"success"})");
  std::vector<std::string> seen;
  seen = backend->load_seen().value();
  EXPECT_EQ(seen, std::vector<std::string>{"id-3"});
}

TEST(webhook_restart_test, an_id_seen_before_a_restart_is_a_duplicate) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto backend = std::make_shared<flaky_backend>();
  ASSERT_TRUE(backend->mark_seen("id-before", std::chrono::seconds(600)));
  auto storage = spawn_loaded_storage(sys, backend);
  webhook_config w;
  auto webhook = sys.spawn(webhook_fn, w, streamer_supervisor_actor{}, storage,
                           subscription_manager_actor{});
  caf::scoped_actor self{sys};
  self->request(webhook, std::chrono::seconds(5), ready_atom::value)
      .receive([](caf::ok_atom) {}, [](const caf::error&) { FAIL(); });
  auto verdict = gated(fixture("stream_online.json"), "id-before");
  ASSERT_FALSE(verdict.answered);
  captured_reply reply;
  caf::anon_send(webhook, webhook_atom::value, std::move(verdict.event), reply.channel());
  EXPECT_EQ(*reply.get().body, R"({"status":"duplicate"})");
  caf::anon_send_exit(webhook, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace eventsubd::testing
