// End to end against the fake Twitch (OAuth, Helix, EventSub subscriptions) written for
// these tests: the real binary, real HTTP both ways, real verification challenges.
#include "tests/common/fake_twitch.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class twitch_e2e : public ::testing::Test {
 protected:
  fake_twitch fake;
  uint16_t port_ = free_port();
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }

  std::string callback() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub";
  }

  void start(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"PORT", std::to_string(port_)},
                                           {"TWITCH_CLIENT_ID", fake.client_id()},
                                           {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                                           {"TWITCH_API_URL", fake.api_url()},
                                           {"TWITCH_AUTH_URL", fake.auth_url()},
                                           {"WEBHOOK_SECRET", e2e_secret},
                                           {"WEBHOOK_URL", callback()}};
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<server_process>(env);
  }

  uint16_t port() const { return server->port(); }

  std::vector<fake_subscription> subs_of(const std::string& user_id) {
    std::vector<fake_subscription> out;
    for (auto& s : fake.subscriptions())
      if (s.broadcaster_user_id == user_id) out.push_back(s);
    return out;
  }

  bool both_enabled(const std::string& user_id) {
    auto subs = subs_of(user_id);
    return subs.size() == 2 && subs[0].status == "enabled" &&
           subs[1].status == "enabled" && subs[0].type != subs[1].type;
  }

  json_doc streamers() { return json_doc(http_once(port(), "GET", "/streamers").body); }

  /// ninja (1002) live on Twitch with stream s-1002, started at `started_at`.
  static fake_stream ninja_playing_fortnite(const std::string& started_at) {
    return {"s-1002",   "1002",        "ninja", "Ninja",    "33214",
            "Fortnite", "dropping in", 12000,   started_at, {}};
  }
};

TEST_F(twitch_e2e, add_creates_both_subscriptions_verified_through_our_webhook) {
  start();
  auto r = http_once(port(), "POST", "/streamers/Shroud");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"message":"Added streamer: shroud"})");
  // Twitch's challenge reached our webhook and was echoed: both subscriptions enabled.
  ASSERT_TRUE(eventually([&] { return both_enabled("1001"); })) << server->log();
  for (auto& s : subs_of("1001")) EXPECT_EQ(s.callback, callback());
  auto list = streamers();
  auto first = list.root.at(0);
  EXPECT_EQ(std::string_view(first["username"]), "shroud");
  EXPECT_EQ(std::string_view(first["user_id"]), "1001");
  EXPECT_EQ(std::string_view(first["display_name"]), "Shroud");
  EXPECT_TRUE(bool(first["is_active"]));
  std::string online_id;
  for (auto& s : subs_of("1001"))
    if (s.type == "stream.online") online_id = s.id;
  EXPECT_EQ(std::string_view(first["subscription_id"]), online_id);
  // Its status is initialised from Get Streams.
  ASSERT_TRUE(eventually([&] {
    return http_once(port(), "GET", "/streamers/shroud/status")
               .body.find("\"storage\"") != std::string::npos;
  }));
  auto status = json_doc(http_once(port(), "GET", "/streamers/shroud/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));
  EXPECT_EQ(std::string_view(status.root["stream_data"]["game_name"]), "VALORANT");
}

TEST_F(twitch_e2e, add_is_idempotent_and_case_insensitive) {
  start();
  ASSERT_EQ(http_once(port(), "POST", "/streamers/shroud").status, 200);
  ASSERT_TRUE(eventually([&] { return both_enabled("1001"); }));
  EXPECT_EQ(http_once(port(), "POST", "/streamers/SHROUD").status, 200);
  EXPECT_EQ(http_once(port(), "POST", "/streamers/Shroud").status, 200);
  EXPECT_EQ(subs_of("1001").size(), 2u);
  EXPECT_EQ(fake.calls("POST", "/helix/eventsub/subscriptions"), 2);
  EXPECT_EQ(streamers().root.get_array().value().size(), 1u);
}

TEST_F(twitch_e2e, unknown_users_are_404_and_invalid_names_never_reach_twitch) {
  start();
  auto r = http_once(port(), "POST", "/streamers/nosuchuser");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("not found"), std::string::npos);
  int user_calls = fake.calls("GET", "/helix/users");
  for (const char* bad : {"bad-name", "a%26login%3Dninja", "_x", "x%20y"}) {
    EXPECT_EQ(http_once(port(), "POST", std::string("/streamers/") + bad).status, 400)
        << bad;
    EXPECT_EQ(
        http_once(port(), "GET", std::string("/streamers/") + bad + "/status").status,
        400);
  }
  EXPECT_EQ(fake.calls("GET", "/helix/users"), user_calls);
  EXPECT_TRUE(fake.subscriptions().empty());
}

TEST_F(twitch_e2e, delete_removes_both_subscriptions_streamer_and_status) {
  start();
  ASSERT_EQ(http_once(port(), "POST", "/streamers/shroud").status, 200);
  ASSERT_TRUE(eventually([&] { return both_enabled("1001"); }));
  ASSERT_TRUE(eventually([&] {
    return http_once(port(), "GET", "/streams/live").body.find("shroud") !=
           std::string::npos;
  }));
  auto r = http_once(port(), "DELETE", "/streamers/Shroud");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"message":"Removed streamer: shroud"})");
  EXPECT_TRUE(subs_of("1001").empty());
  EXPECT_EQ(http_once(port(), "GET", "/streamers").body, "[]");
  EXPECT_EQ(http_once(port(), "GET", "/streams/live").body.find("shroud"),
            std::string::npos);
  // Its status now comes from Twitch, not storage.
  auto status = json_doc(http_once(port(), "GET", "/streamers/shroud/status").body);
  EXPECT_EQ(std::string_view(status.root["source"]), "twitch_api");
  EXPECT_EQ(http_once(port(), "DELETE", "/streamers/shroud").status, 404);
}

TEST_F(twitch_e2e, status_of_an_unmonitored_streamer_comes_from_helix_and_is_cached) {
  start();
  auto r = http_once(port(), "GET", "/streamers/Shroud/status");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = json_doc(r.body);
  EXPECT_EQ(std::string_view(doc.root["source"]), "twitch_api");
  EXPECT_TRUE(bool(doc.root["is_live"]));
  EXPECT_EQ(std::string_view(doc.root["stream_data"]["title"]), "ranked");
  auto offline = json_doc(http_once(port(), "GET", "/streamers/ninja/status").body);
  EXPECT_FALSE(bool(offline.root["is_live"]));
  EXPECT_TRUE(offline.root["stream_data"].is_null());
  int calls = fake.calls("GET", "/helix/users");
  EXPECT_EQ(http_once(port(), "GET", "/streamers/shroud/status").status, 200);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), calls);  // cached
  EXPECT_EQ(http_once(port(), "GET", "/streams/live").body,
            R"({"live_streams":[],"count":0})");
  EXPECT_EQ(http_once(port(), "GET", "/streamers/nobodyhere/status").status, 404);
}

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

TEST_F(twitch_e2e, startup_adds_default_streamers_in_batches_and_initialises_statuses) {
  start({{"DEFAULT_STREAMERS", "shroud,Ninja,pokimane,nosuchuser"}});
  ASSERT_TRUE(eventually([&] {
    return both_enabled("1001") && both_enabled("1002") && both_enabled("1003");
  })) << server->log();
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 1);
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), 1);
  EXPECT_TRUE(server->wait_for_log("Initializing status for 3 monitored streamers..."));
  EXPECT_TRUE(
      server->wait_for_log("Initialized shroud: live - VALORANT - 25000 viewers"));
  EXPECT_TRUE(server->wait_for_log("Initialized ninja: offline"));
  EXPECT_TRUE(server->wait_for_log("nosuchuser is not a Twitch user"));
  EXPECT_EQ(streamers().root.get_array().value().size(), 3u);
  ASSERT_TRUE(eventually([&] {
    return http_once(port(), "GET", "/streams/live").body.find(R"("count":1)") !=
           std::string::npos;
  }));
  EXPECT_EQ(event_count(port()), 0u);  // initialisation records no events
}

TEST_F(twitch_e2e, restart_with_existing_subscriptions_adopts_them) {
  fake.add_subscription(
      {"", "stream.online", "1", "enabled", "1001", callback(), e2e_secret, "", 1});
  fake.add_subscription(
      {"", "stream.offline", "1", "enabled", "1001", callback(), e2e_secret, "", 1});
  fake.add_subscription({"", "stream.online", "1", "enabled", "1002",
                         "https://someone.else/cb", "x", "", 1});
  fake.add_subscription({"", "stream.online", "1", "enabled", "1003", callback(),
                         e2e_secret, "", 1});  // no longer monitored
  auto before = subs_of("1001");
  start({{"DEFAULT_STREAMERS", "shroud"}});
  ASSERT_TRUE(server->wait_for_log("reconciled 1 streamers")) << server->log();
  EXPECT_EQ(fake.calls("POST", "/helix/eventsub/subscriptions"), 0);
  EXPECT_EQ(subs_of("1001").size(), 2u);
  EXPECT_EQ(subs_of("1002").size(), 1u);  // not ours: untouched
  EXPECT_TRUE(
      eventually([&] { return subs_of("1003").empty(); }));  // ours, unmonitored: deleted
  ASSERT_TRUE(
      eventually([&] { return streamers().root.at(0)["is_active"].get_bool().value(); }));
  // Adding it again changes nothing; deleting removes the adopted subscriptions.
  EXPECT_EQ(http_once(port(), "POST", "/streamers/shroud").status, 200);
  EXPECT_EQ(fake.calls("POST", "/helix/eventsub/subscriptions"), 0);
  EXPECT_EQ(http_once(port(), "DELETE", "/streamers/shroud").status, 200);
  EXPECT_TRUE(subs_of("1001").empty());
}

TEST_F(twitch_e2e, adding_a_streamer_whose_subscriptions_exist_adopts_them_on_409) {
  fake.add_subscription(
      {"", "stream.online", "1", "enabled", "1002", callback(), e2e_secret, "", 1});
  start();
  ASSERT_EQ(http_once(port(), "POST", "/streamers/ninja").status, 200);
  ASSERT_TRUE(eventually([&] { return both_enabled("1002"); }));
  EXPECT_EQ(subs_of("1002").size(), 2u);
}

TEST_F(twitch_e2e, revocation_resubscribes_and_user_removed_stops_monitoring) {
  start();
  ASSERT_EQ(http_once(port(), "POST", "/streamers/shroud").status, 200);
  ASSERT_TRUE(eventually([&] { return both_enabled("1001"); }));
  std::string old_id;
  for (auto& s : subs_of("1001"))
    if (s.type == "stream.online") old_id = s.id;
  fake.set_subscription_status(old_id, "authorization_revoked");
  std::string body =
      R"({"subscription":{"id":")" + old_id +
      R"(","status":"authorization_revoked","type":"stream.online","version":"1","cost":1,"condition":{"broadcaster_user_id":"1001"},"transport":{"method":"webhook","callback":")" +
      callback() + R"("},"created_at":"2024-01-01T00:00:00Z"}})";
  ASSERT_EQ(post_signed(port(), body, "revocation").status, 200);
  ASSERT_TRUE(eventually([&] {
    auto subs = subs_of("1001");
    bool fresh = false;
    for (auto& s : subs)
      if (s.type == "stream.online" && s.id != old_id && s.status == "enabled")
        fresh = true;
    return fresh && subs.size() == 2;
  })) << server->log();
  ASSERT_TRUE(eventually([&] {
    auto list = streamers();  // `first` points into this document
    auto first = list.root.at(0);
    return first["is_active"].get_bool().value() &&
           first["subscription_id"].is_string() &&
           std::string_view(first["subscription_id"]) != old_id;
  }));

  std::string offline_id;
  for (auto& s : subs_of("1001"))
    if (s.type == "stream.offline") offline_id = s.id;
  std::string removed =
      R"({"subscription":{"id":")" + offline_id +
      R"(","status":"user_removed","type":"stream.offline","version":"1","cost":1,"condition":{"broadcaster_user_id":"1001"},"transport":{"method":"webhook","callback":")" +
      callback() + R"("},"created_at":"2024-01-01T00:00:00Z"}})";
  ASSERT_EQ(post_signed(port(), removed, "revocation").status, 200);
  ASSERT_TRUE(
      eventually([&] { return http_once(port(), "GET", "/streamers").body == "[]"; }));
}

TEST_F(twitch_e2e, metadata_is_fetched_promptly_after_online) {
  start();
  ASSERT_EQ(http_once(port(), "POST", "/streamers/ninja").status, 200);
  // Ninja goes live: EventSub says so first, Helix lists the stream a little later.
  auto online = online_body("1002", "ninja", "s-1002", twitch_timestamp(-5s));
  ASSERT_EQ(post_signed(port(), online).status, 200);
  auto status = json_doc(http_once(port(), "GET", "/streamers/ninja/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));
  EXPECT_EQ(std::string_view(status.root["stream_data"]["id"]), "s-1002");
  fake.set_live(ninja_playing_fortnite(twitch_timestamp(-5s)));
  ASSERT_TRUE(eventually(
      [&] {
        auto body = http_once(port(), "GET", "/streamers/ninja/status").body;
        return body.find("Fortnite") != std::string::npos;
      },
      15s))
      << server->log();
  auto after = json_doc(http_once(port(), "GET", "/streamers/ninja/status").body);
  EXPECT_EQ(int64_t(after.root["stream_data"]["viewer_count"]), 12000);
  EXPECT_TRUE(bool(after.root["is_live"]));
}

TEST_F(twitch_e2e, refresh_of_250_streamers_costs_3_get_streams_calls) {
  // EVENTSUBD_BULK_STREAMERS=1000 measures a larger set (and one periodic refresh).
  const char* env_count = std::getenv("EVENTSUBD_BULK_STREAMERS");
  const int count = env_count ? std::atoi(env_count) : 250;
  const int batches = (count + 99) / 100;
  std::string defaults;
  for (int i = 0; i < count; ++i) {
    std::string id = std::to_string(5000 + i), login = "bulk" + std::to_string(i);
    fake.add_user({id, login, login});
    defaults += (i ? "," : "") + login;
  }
  fake.set_verify_callbacks(false);
  std::map<std::string, std::string> env{{"DEFAULT_STREAMERS", defaults}};
  if (env_count) env["REFRESH_INTERVAL"] = "10";
  auto started = std::chrono::steady_clock::now();
  start(env);
  auto n = std::to_string(count);
  ASSERT_TRUE(server->wait_for_log(
      "Initializing status for " + n + " monitored streamers...", 60s))
      << server->log();
  ASSERT_TRUE(server->wait_for_log(
      "Initialized bulk" + std::to_string(count - 1) + ": offline", 60s))
      << server->log().substr(server->log().size() > 4000 ? server->log().size() - 4000
                                                          : 0);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), batches);    // 100 per call
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), batches);  // the same batching
  for (auto& r : fake.requests()) {
    if (r.path == "/helix/streams") {
      EXPECT_NE(r.query.find("first=100"), std::string::npos);
    }
  }
  if (env_count) {
    ASSERT_TRUE(server->wait_for_log("reconciled " + n + " streamers", 300s));
    auto startup = std::chrono::steady_clock::now() - started;
    int streams_before = fake.calls("GET", "/helix/streams");
    ASSERT_TRUE(eventually(
        [&] { return fake.calls("GET", "/helix/streams") >= streams_before + batches; },
        30s));
    std::printf(
        "startup with %d streamers: %d users, %d streams, %d creates, %d lists in %lld "
        "ms; "
        "one refresh: %d streams calls\n",
        count, fake.calls("GET", "/helix/users"), streams_before,
        fake.calls("POST", "/helix/eventsub/subscriptions"),
        fake.calls("GET", "/helix/eventsub/subscriptions"),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(startup).count()),
        fake.calls("GET", "/helix/streams") - streams_before);
  }
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

TEST(twitch_disabled_e2e, default_streamers_without_credentials_are_ignored_loudly) {
  server_process server{{{"DEFAULT_STREAMERS", "shroud"}}};
  EXPECT_TRUE(server.wait_for_log("DEFAULT_STREAMERS ignored"));
  EXPECT_EQ(http_once(server.port(), "POST", "/streamers/shroud").status, 503);
  // Not monitored is the contract's 404 even without Twitch (nothing to retry).
  auto removed = http_once(server.port(), "DELETE", "/streamers/shroud");
  EXPECT_EQ(removed.status, 404) << removed.body;
  EXPECT_EQ(removed.body, R"({"detail":"Streamer 'shroud' is not monitored"})");
}

}  // namespace
}  // namespace eventsubd::testing
