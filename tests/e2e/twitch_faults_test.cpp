// End to end against the fake Twitch: its failures (errors, 429s, a revoked token,
// garbage, slowness, being down at start-up) are retried within the rate limit, never
// reported as "offline", and recovered from without a restart.
#include "tests/common/fake_twitch.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/twitch_e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(twitch_e2e, twitch_failures_are_502_503_504_never_offline) {
  start();
  fake.fail_next(20, 500, "/helix/users");
  auto r = http_once(port(), "GET", "/streamers/ninja/status");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("detail"), std::string::npos);
  auto add = http_once(port(), "POST", "/streamers/ninja");
  EXPECT_EQ(add.status, 502) << add.body;
}

TEST_F(twitch_e2e, server_errors_are_retried) {
  start();
  fake.fail_next(2, 500, "/helix/users");
  auto r = http_once(port(), "POST", "/streamers/ninja");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 3);
}

TEST_F(twitch_e2e, rate_limit_429_waits_for_the_reset_and_retries) {
  start();
  fake.fail_next(1, 429, "/helix/users", 1);
  auto started = std::chrono::steady_clock::now();
  auto r = http_once(port(), "POST", "/streamers/ninja");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_GE(std::chrono::steady_clock::now() - started, 500ms);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 2);
  // /metrics tells the same story: a 429, a retry, then the answer (one token, shared
  // by both Twitch clients, interactive and bulk); and the start-up reconciliation's
  // listing gave the subscription cost figures. That listing runs beside this request;
  // wait for it rather than race it.
  const std::vector<std::string> expected{
      R"(eventsubd_helix_requests_total{endpoint="GET /users",status="429"} 1)",
      R"(eventsubd_helix_requests_total{endpoint="GET /users",status="200"} 1)",
      R"(eventsubd_helix_requests_total{endpoint="POST /oauth2/token",status="200"} 1)",
      "eventsubd_helix_rate_limited_total 1",
      "eventsubd_streamers_monitored 1",
      "eventsubd_eventsub_max_total_cost 10000"};
  // The listing also counts whichever of ninja's two new subscriptions exist when it
  // runs: none as a rule, but on a busy machine it can run during or after the add (the
  // add holds the manager, start-up included).
  auto cost_listed = [](const std::string& text) {
    for (const char* cost : {"0", "1", "2"})
      if (text.find(std::string("\neventsubd_eventsub_total_cost ") + cost + "\n") !=
          std::string::npos)
        return true;
    return false;
  };
  std::string metrics;
  eventually([&] {
    metrics = http_once(port(), "GET", "/metrics").body;
    for (auto& line : expected)
      if (metrics.find(line) == std::string::npos) return false;
    return cost_listed(metrics);
  });
  for (auto& line : expected)
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  EXPECT_TRUE(cost_listed(metrics)) << metrics;
  EXPECT_EQ(metrics.find(fake.client_secret()), std::string::npos);
}

TEST_F(twitch_e2e, a_revoked_token_is_replaced) {
  start();
  ASSERT_EQ(http_once(port(), "GET", "/streamers/ninja/status").status, 200);
  // Both Twitch clients (interactive, and bulk with the start-up reconciliation that may
  // still be under way) share one app token.
  EXPECT_EQ(fake.tokens_issued(), 1);
  fake.revoke_tokens();
  auto r = http_once(port(), "GET", "/streamers/pokimane/status");
  EXPECT_EQ(r.status, 200) << r.body;
  // Whichever client meets the 401 first replaces the token for both; the other's 401
  // (if its start-up work called Twitch after the revocation) finds it replaced
  // already. Exactly one new token, whatever the timing.
  EXPECT_EQ(fake.tokens_issued(), 2);
  // Not once per request: more lookups take no further token.
  EXPECT_EQ(http_once(port(), "GET", "/streamers/shroud/status").status, 200);
  EXPECT_EQ(fake.tokens_issued(), 2);
}

// Faults on Twitch's side: the server starts and serves what it knows whatever Twitch
// does, retries within the rate limit, and recovers without a restart.

TEST_F(twitch_e2e,
       twitch_down_at_startup_the_server_serves_and_recovers_without_restart) {
  fake.fail_next(100000, 503);  // OAuth and Helix alike, until cleared
  start({{"DEFAULT_STREAMERS", "shroud,ninja"}, {"TWITCH_RETRY_INTERVAL", "1"}});
  // Serving: health (healthy once the failed start-up round is over: a retry is
  // scheduled), reads, and webhooks (which need no Twitch call).
  EXPECT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  auto body = online_body("1003", "pokimane", "s-poki", twitch_timestamp(-1s));
  EXPECT_EQ(post_signed(port(), body).status, 200);
  EXPECT_NE(http_once(port(), "GET", "/streams/live").body.find("pokimane"),
            std::string::npos);
  // A question only Twitch can answer is an honest 5xx, never a made-up "offline".
  auto unknown = http_once(port(), "GET", "/streamers/ninja/status");
  EXPECT_GE(unknown.status, 502) << unknown.body;
  EXPECT_TRUE(server->wait_for_log("adding DEFAULT_STREAMERS failed", 20s));
  fake.clear_faults();  // Twitch is back
  EXPECT_TRUE(
      eventually([&] { return both_enabled("1001") && both_enabled("1002"); }, 30s))
      << server->log();
  EXPECT_EQ(streamers().root.get_array().value().size(), 2u);
  EXPECT_EQ(http_once(port(), "GET", "/health").status, 200);
}

TEST_F(twitch_e2e, twitch_slow_at_startup_does_not_hold_up_the_server) {
  fake.delay_next(2, 3s);  // the token, then the users lookup
  start({{"DEFAULT_STREAMERS", "shroud"}});
  // Listening and answering while the default streamer is still being looked up:
  // /health says the server is starting, reads are served.
  auto health = http_once(port(), "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find(R"("status":"starting")"), std::string::npos) << health.body;
  EXPECT_EQ(streamers().root.get_array().value().size(), 0u);
  EXPECT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  EXPECT_TRUE(eventually([&] { return both_enabled("1001"); }, 30s)) << server->log();
  EXPECT_EQ(streamers().root.get_array().value().size(), 1u);
}

TEST_F(twitch_e2e, garbage_and_429_during_refresh_leave_statuses_then_recover) {
  start({{"DEFAULT_STREAMERS", "shroud,ninja"}, {"REFRESH_INTERVAL", "10"}});
  ASSERT_TRUE(server->wait_for_log("Initialized shroud: live", 20s)) << server->log();
  auto live_logins = [&] { return http_once(port(), "GET", "/streams/live").body; };
  ASSERT_TRUE(
      eventually([&] { return live_logins().find("shroud") != std::string::npos; }));
  // On Twitch ninja starts (its online webhook is lost). The next round gets garbage.
  fake.set_live(ninja_playing_fortnite("2024-01-01T12:00:00Z"));
  fake.garbage_next(1, "/helix/streams");
  ASSERT_TRUE(server->wait_for_log("refresher: Get Streams failed", 20s))
      << server->log();
  auto unchanged = live_logins();
  EXPECT_NE(unchanged.find("shroud"), std::string::npos) << unchanged;
  EXPECT_EQ(unchanged.find("ninja"), std::string::npos) << unchanged;
  // The round after meets a 429 first: it waits for the reset, retries, and applies
  // (polling corrects the missed online; shroud stays live, as Twitch still lists it).
  int calls_before = fake.calls("GET", "/helix/streams");
  fake.fail_next(1, 429, "/helix/streams", 1);
  ASSERT_TRUE(
      eventually([&] { return live_logins().find("ninja") != std::string::npos; }, 30s))
      << server->log();
  EXPECT_NE(live_logins().find("shroud"), std::string::npos);
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), calls_before + 2);
  EXPECT_NE(server->log().find("429 on"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::testing
