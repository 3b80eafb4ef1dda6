// End to end against the fake Twitch (OAuth, Helix, EventSub subscriptions) written for
// these tests: the real binary, real HTTP both ways, real verification challenges.
// Adding, removing and looking up streamers; this fixture's other tests are in
// twitch_monitoring_test.cpp and twitch_faults_test.cpp.
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
