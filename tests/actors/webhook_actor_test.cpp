// The webhook actor under CAF's deterministic test scheduler: timers fire on demand.
#include "actors/webhook_actor.hpp"

#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/common/fixtures.hpp"
#include "twitch/signature.hpp"

#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* secret = "actor-test-secret-42";

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
  storage_actor storage =
      sys.spawn(storage_fn, std::shared_ptr<storage::backend>(backend));
  event_bus_actor bus = sys.spawn(event_bus_fn);
  streamer_supervisor_actor supervisor = sys.spawn(
      streamer_supervisor_fn, storage, bus, twitch_client_actor{}, streamer_tuning{});
  webhook_actor webhook;

  void SetUp() override {
    webhook_config w;
    w.secret = secret;
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
    webhook_request req;
    req.message_id = id;
    req.timestamp = format_rfc3339(now());
    req.signature = twitch::signature_verifier(secret).sign(id, req.timestamp, body);
    req.message_type = "notification";
    req.body = body;
    req.has_id = req.has_timestamp = req.has_signature = req.has_type = true;
    captured_reply reply;
    caf::anon_send(webhook, webhook_atom::value, req, reply.channel());
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

TEST_F(webhook_actor_test, a_failed_store_forgets_the_id_so_the_retry_is_applied) {
  auto body = fixture("stream_online.json");
  backend->fail_writes = true;
  EXPECT_EQ(deliver(body, "id-2").code, errc::unavailable);
  backend->fail_writes = false;
  auto retry = deliver(body, "id-2");
  ASSERT_TRUE(retry.ok()) << retry.detail;
  EXPECT_EQ(*retry.body, R"({"status":"success"})");
  std::vector<stream_status> stored;
  backend->load_statuses(stored);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].username, "cool_user");
}

TEST_F(webhook_actor_test, disabled_webhook_answers_unavailable_with_the_reason) {
  webhook_config w;
  w.disabled_detail = "WEBHOOK_SECRET is not set";
  auto disabled =
      sys.spawn(webhook_fn, w, supervisor, storage, subscription_manager_actor{});
  captured_reply reply;
  caf::anon_send(disabled, webhook_atom::value, webhook_request{}, reply.channel());
  sched.run();
  auto r = reply.get();
  EXPECT_EQ(r.code, errc::unavailable);
  EXPECT_EQ(r.detail, "WEBHOOK_SECRET is not set");
  caf::anon_send_exit(disabled, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace eventsubd::testing
