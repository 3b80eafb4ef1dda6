// Live status decided by stream identity, end to end (issue 13): the real binary, signed
// webhooks, the fake Twitch for polls, memory and Redis storage; with Redis also a
// restart of the server before the decisive step, which must not change the outcome.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

struct identity_mode {
  bool redis = false;
  bool restart = false;
};

class stream_identity_e2e : public ::testing::TestWithParam<identity_mode> {
 protected:
  fake_twitch fake;
  std::unique_ptr<redis_server> redis;
  uint16_t port_ = free_port();
  std::map<std::string, std::string> env;
  std::unique_ptr<server_process> server;

  void SetUp() override {
    fake.add_standard_users();
    if (GetParam().redis) redis = std::make_unique<redis_server>();
  }

  void start(std::map<std::string, std::string> extra = {}) {
    env = {{"PORT", std::to_string(port_)},
           {"TWITCH_CLIENT_ID", fake.client_id()},
           {"TWITCH_CLIENT_SECRET", fake.client_secret()},
           {"TWITCH_API_URL", fake.api_url()},
           {"TWITCH_AUTH_URL", fake.auth_url()},
           {"WEBHOOK_SECRET", e2e_secret},
           {"WEBHOOK_URL",
            "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub"},
           {"REFRESH_INTERVAL", "10"}};
    if (redis) {
      env["STORAGE_TYPE"] = "redis";
      env["REDIS_URL"] = redis->url();
    }
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<server_process>(env);
  }
  /// The restart of the parameterised run (Redis only: memory keeps nothing).
  void maybe_restart() {
    if (!GetParam().restart) return;
    ASSERT_EQ(server->terminate(), 0);
    server = std::make_unique<server_process>(env);
  }
  uint16_t port() const { return server->port(); }

  /// ninja (1002) monitored, offline, with both subscriptions.
  void monitor_ninja() {
    ASSERT_EQ(http_once(port(), "POST", "/streamers/ninja").status, 200);
    ASSERT_TRUE(eventually([&] { return status_json().find("storage") != npos; }, 20s));
  }
  static constexpr auto npos = std::string::npos;
  std::string status_json() {
    return http_once(port(), "GET", "/streamers/ninja/status").body;
  }
  bool live() { return status_json().find(R"("is_live":true)") != npos; }
  std::string online(const std::string& stream_id, std::chrono::seconds started,
                     std::chrono::seconds sent) {
    auto r = post_signed(
        port(), online_body("1002", "ninja", stream_id, twitch_timestamp(started)),
        "notification", unique_id(), twitch_timestamp(sent));
    return r.body;
  }
  std::string offline(std::chrono::seconds sent) {
    return post_signed(port(), offline_body("1002", "ninja"), "notification", unique_id(),
                       twitch_timestamp(sent))
        .body;
  }
  /// Waits until the refresher has made `rounds` more Get Streams calls.
  bool polls_pass(int rounds) {
    int before = fake.calls("GET", "/helix/streams");
    return eventually(
        [&] { return fake.calls("GET", "/helix/streams") >= before + rounds; }, 40s);
  }
  fake_stream ninja_stream(const std::string& id, std::chrono::seconds started) {
    return {id,      "1002",  "ninja",
            "Ninja", "33214", "Fortnite",
            "t",     100,     twitch_timestamp(started),
            {}};
  }
};

constexpr const char* success = R"({"status":"success"})";
constexpr const char* outdated = R"({"status":"outdated"})";

// The issue's reproduction: online 111, offline, online 222 whose started_at is earlier
// than the offline's message timestamp (a restart within the same second).
TEST_P(stream_identity_e2e, a_new_stream_that_started_before_the_offline_is_applied) {
  start();
  monitor_ninja();
  ASSERT_EQ(online("111", -120s, -119s), success);
  ASSERT_EQ(offline(-30s), success);
  maybe_restart();
  EXPECT_EQ(online("222", -31s, -29s), success);
  fake.set_live(ninja_stream("222", -31s));
  EXPECT_TRUE(live()) << status_json();
  // The refresher's polls of stream 222 keep it live.
  ASSERT_TRUE(polls_pass(1));
  EXPECT_TRUE(live()) << server->log();
  EXPECT_EQ(server->log().find("ignored outdated stream.online (poll-"), npos);
}

TEST_P(stream_identity_e2e, a_late_online_of_an_ended_stream_never_flips_back) {
  start();
  monitor_ninja();
  ASSERT_EQ(online("111", -120s, -119s), success);
  ASSERT_EQ(offline(-30s), success);
  maybe_restart();
  EXPECT_EQ(online("111", -120s, -10s), outdated);  // e.g. another subscription's copy
  EXPECT_FALSE(live());
}

TEST_P(stream_identity_e2e, get_streams_lag_after_an_offline_never_flips_back) {
  start();
  monitor_ninja();
  ASSERT_EQ(online("111", -120s, -119s), success);
  fake.set_live(ninja_stream("111", -120s));
  ASSERT_EQ(offline(-1s), success);
  maybe_restart();
  // Helix still lists the ended stream (HELIX_LAG_WINDOW is 600 s by default).
  ASSERT_TRUE(polls_pass(2));
  EXPECT_FALSE(live()) << status_json();
}

TEST_P(stream_identity_e2e,
       a_late_offline_after_the_next_online_is_corrected_by_polling) {
  start({{"HELIX_LAG_WINDOW", "2"}});
  monitor_ninja();
  ASSERT_EQ(online("111", -120s, -119s), success);
  ASSERT_EQ(online("222", -60s, -59s), success);
  fake.set_live(ninja_stream("222", -60s));
  // 111's offline, which Twitch sent late: it ends the current stream, 222.
  ASSERT_EQ(offline(0s), success);
  EXPECT_FALSE(live());
  maybe_restart();
  // The next poll sees 222 live (or, within Helix's lag window, asks again after it).
  EXPECT_TRUE(eventually([&] { return live(); }, 40s)) << server->log();
  auto events = json_doc(http_once(port(), "GET", "/events?limit=1").body);
  auto newest = events.root["events"].at(0);
  EXPECT_EQ(std::string_view(newest["event_type"]), "stream.online");
  EXPECT_EQ(std::string_view(newest["source"]), "polling");
}

INSTANTIATE_TEST_SUITE_P(modes, stream_identity_e2e,
                         ::testing::Values(identity_mode{false, false},
                                           identity_mode{true, false},
                                           identity_mode{true, true}),
                         [](const auto& info) {
                           return std::string(info.param.redis ? "redis" : "memory") +
                                  (info.param.restart ? "_with_restart" : "");
                         });

}  // namespace
}  // namespace eventsubd::testing
