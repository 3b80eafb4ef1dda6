// Start-up, shutdown and background work (issue 13): readiness, a DELETE racing the
// start-up subscription sync, bounded shutdown with Twitch work queued, no live status
// outliving monitoring, a failing reconciliation backing off, no subscription attempt
// without WEBHOOK_URL.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/fixtures.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class lifecycle_e2e : public ::testing::Test {
 protected:
  fake_twitch fake;
  uint16_t port_ = free_port();
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }
  std::string callback() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub";
  }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> e{{"PORT", std::to_string(port_)},
                                         {"TWITCH_CLIENT_ID", fake.client_id()},
                                         {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                                         {"TWITCH_API_URL", fake.api_url()},
                                         {"TWITCH_AUTH_URL", fake.auth_url()},
                                         {"WEBHOOK_SECRET", e2e_secret},
                                         {"WEBHOOK_URL", callback()}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }
  uint16_t port() const { return server->port(); }
  size_t subs_of(const std::string& user_id) {
    size_t n = 0;
    for (auto& s : fake.subscriptions()) n += s.broadcaster_user_id == user_id;
    return n;
  }
  bool live(const std::string& login) {
    return http_once(port(), "GET", "/streamers/" + login + "/status")
               .body.find(R"("is_live":true)") != std::string::npos;
  }
  size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++n;
    return n;
  }
};

TEST_F(lifecycle_e2e, health_says_starting_until_default_streamers_are_stored) {
  fake.delay_next(1, 3s, "/users");  // resolving DEFAULT_STREAMERS takes a while
  server = std::make_unique<server_process>(env({{"DEFAULT_STREAMERS", "shroud,ninja"}}));
  auto early = http_once(port(), "GET", "/health");
  EXPECT_EQ(early.status, 503);
  EXPECT_EQ(early.body, R"({"status":"starting","storage":"connected"})");
  // Challenges are answered meanwhile.
  auto challenge =
      post_signed(port(), fixture("verification.json"), "webhook_callback_verification");
  EXPECT_EQ(challenge.status, 200);
  // A client that waits for a healthy server sees the default streamers.
  ASSERT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  auto list = http_once(port(), "GET", "/streamers").body;
  EXPECT_NE(list.find("shroud"), std::string::npos) << list;
  EXPECT_NE(list.find("ninja"), std::string::npos) << list;
  EXPECT_NE(http_once(port(), "GET", "/streamers/shroud/status").body.find("\"storage\""),
            std::string::npos);
}

TEST_F(lifecycle_e2e, a_failed_start_up_round_is_ready_and_retried) {
  fake.fail_next(1000, 503, "/users");
  server = std::make_unique<server_process>(
      env({{"DEFAULT_STREAMERS", "shroud"}, {"TWITCH_RETRY_INTERVAL", "1"}}));
  ASSERT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  fake.clear_faults();
  EXPECT_TRUE(eventually(
      [&] {
        return http_once(port(), "GET", "/streamers").body.find("shroud") !=
               std::string::npos;
      },
      30s));
}

TEST_F(lifecycle_e2e, a_delete_during_the_start_up_sync_leaves_no_subscription) {
  // Creating subscriptions is slow, so the DELETE lands while the sync runs.
  fake.delay_next(4, 1s, "/eventsub/subscriptions");
  server = std::make_unique<server_process>(env({{"DEFAULT_STREAMERS", "shroud,ninja"}}));
  ASSERT_TRUE(eventually(
      [&] { return fake.calls("POST", "/helix/eventsub/subscriptions") >= 1; }, 30s));
  auto r = http_once(port(), "DELETE", "/streamers/shroud");
  ASSERT_EQ(r.status, 200) << r.body;
  // ninja keeps its two; shroud's, made by the sync after the DELETE, are deleted.
  EXPECT_TRUE(
      eventually([&] { return subs_of("1002") == 2 && subs_of("1001") == 0; }, 30s))
      << server->log();
  EXPECT_EQ(http_once(port(), "GET", "/streamers").body.find("shroud"),
            std::string::npos);
}

TEST_F(lifecycle_e2e, sigterm_with_twitch_work_queued_exits_promptly_and_calls_no_more) {
  server = std::make_unique<server_process>(env());
  ASSERT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  for (int i = 0; i < 300; ++i)
    fake.add_user({std::to_string(70000 + i), "queued" + std::to_string(i), "Q"});
  fake.delay_next(100000, 2s, "");  // every Helix call is slow
  std::vector<std::thread> adders;
  for (int t = 0; t < 30; ++t)
    adders.emplace_back([&, t] {
      for (int i = t; i < 300; i += 30) {
        try {
          http_client c(port(), 30s);
          c.request("POST", "/streamers/queued" + std::to_string(i));
        } catch (const std::exception&) {
        }
      }
    });
  ASSERT_TRUE(eventually([&] { return fake.calls("GET", "/helix/users") >= 2; }));
  auto signalled = std::chrono::steady_clock::now();
  int calls_at_signal = static_cast<int>(fake.requests().size());
  auto status = server->terminate(30s);
  auto took = std::chrono::steady_clock::now() - signalled;
  for (auto& t : adders) t.join();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_LT(took, 10s) << "documented: 5 s of grace for HTTP, then the actors stop";
  // At most the calls in flight when the signal came (one per worker) end after it.
  EXPECT_LE(static_cast<int>(fake.requests().size()) - calls_at_signal, 5);
}

TEST_F(lifecycle_e2e, a_live_status_nobody_monitors_is_corrected_by_polling) {
  server = std::make_unique<server_process>(
      env({{"REFRESH_INTERVAL", "10"}, {"HELIX_LAG_WINDOW", "1"}}));
  // An event for a broadcaster nobody monitors (pokimane is not live on Twitch)...
  ASSERT_EQ(
      post_signed(port(), online_body("1003", "pokimane", "s-p", twitch_timestamp(-5s)))
          .status,
      200);
  // ...and one that raced the DELETE of a monitored streamer.
  ASSERT_EQ(http_once(port(), "POST", "/streamers/ninja").status, 200);
  ASSERT_EQ(http_once(port(), "DELETE", "/streamers/ninja").status, 200);
  ASSERT_EQ(
      post_signed(port(), online_body("1002", "ninja", "s-n", twitch_timestamp(-5s)))
          .status,
      200);
  EXPECT_TRUE(live("pokimane"));
  EXPECT_TRUE(live("ninja"));
  // Polling includes stored live statuses: two misses later both are offline.
  EXPECT_TRUE(eventually([&] { return !live("pokimane") && !live("ninja"); }, 60s))
      << server->log();
}

TEST_F(lifecycle_e2e, a_failing_reconciliation_backs_off_and_reports_recovery) {
  // A Helix without EventSub endpoints, like the Twitch CLI's mock.
  fake.fail_next(100000, 404, "/eventsub/subscriptions");
  server = std::make_unique<server_process>(
      env({{"DEFAULT_STREAMERS", "shroud"}, {"TWITCH_RETRY_INTERVAL", "1"}}));
  ASSERT_TRUE(server->wait_for_log("reconciliation failed", 30s)) << server->log();
  // Retries after 1, 2, 4, 8 s: within ~8 s at most four more reports, not one a second.
  ASSERT_TRUE(server->wait_for_log("still failing (3 attempts)", 30s)) << server->log();
  auto log = server->log();
  EXPECT_EQ(count(log, "reconciliation failed"), 1u);
  EXPECT_EQ(count(log, "still failing (4 attempts)"), 0u);
  fake.clear_faults();
  EXPECT_TRUE(server->wait_for_log("reconciliation works again after", 60s))
      << server->log();
  EXPECT_TRUE(eventually([&] { return subs_of("1001") == 2; }, 30s));
}

TEST_F(lifecycle_e2e, without_webhook_url_no_subscription_is_attempted) {
  auto e = env({{"DEFAULT_STREAMERS", "shroud"}});
  e.erase("WEBHOOK_URL");
  server = std::make_unique<server_process>(e);
  ASSERT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  ASSERT_EQ(http_once(port(), "POST", "/streamers/ninja").status, 200);
  EXPECT_EQ(fake.calls("POST", "/helix/eventsub/subscriptions"), 0);
  EXPECT_EQ(fake.calls("GET", "/helix/eventsub/subscriptions"), 0);
  auto log = server->log();
  EXPECT_EQ(count(log, "WEBHOOK_URL is not set"), 1u) << log;
  EXPECT_EQ(count(log, "cannot subscribe"), 0u);
}

}  // namespace
}  // namespace eventsubd::testing
