// End to end against the fake Twitch: the default streamers at start-up, subscriptions
// adopted after a restart or on 409, revocations, stream metadata after an online, and
// what a refresh costs.
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

}  // namespace
}  // namespace eventsubd::testing
