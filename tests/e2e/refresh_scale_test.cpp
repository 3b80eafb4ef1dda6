// The refresh of many monitored streamers costs ceil(N/100) Get Streams calls, measured
// against the fake Twitch with the state an earlier run left in Redis (so start-up
// creates no subscriptions: at Twitch's 800 points a minute, creating 20,000 would take
// 25 minutes). bench/run.sh runs this with EVENTSUBD_REFRESH_STREAMERS=10000 and reports
// the line it prints.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

/// Writes the streamers into `twitch:streamers` the way the old service did, pipelined.
void preload_streamers(uint16_t redis_port, int count) {
  timeval tv{5, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
  ASSERT_TRUE(c && !c->err);
  for (int i = 0; i < count; ++i) {
    std::string id = std::to_string(500000 + i), login = "scale" + std::to_string(i);
    std::string json = R"({"user_id":")" + id + R"(","username":")" + login +
                       R"(","display_name":")" + login + R"(","subscription_id":"on-)" +
                       id + R"(","is_active":true})";
    redisAppendCommand(c, "HSET twitch:streamers %s %s", login.c_str(), json.c_str());
  }
  for (int i = 0; i < count; ++i) {
    void* reply = nullptr;
    ASSERT_EQ(redisGetReply(c, &reply), REDIS_OK);
    freeReplyObject(reply);
  }
  redisFree(c);
}

TEST(refresh_scale_e2e, one_refresh_costs_one_get_streams_call_per_100_streamers) {
  const char* env_count = std::getenv("EVENTSUBD_REFRESH_STREAMERS");
  const int count = env_count ? std::atoi(env_count) : 1000;
  const int batches = (count + 99) / 100;
  fake_twitch fake;
  fake.set_verify_callbacks(false);
  redis_server redis;
  uint16_t port = free_port();
  std::string callback =
      "http://127.0.0.1:" + std::to_string(port) + "/webhooks/eventsub";
  for (int i = 0; i < count; ++i) {
    std::string id = std::to_string(500000 + i), login = "scale" + std::to_string(i);
    fake.add_user({id, login, login});
    for (const char* type : {"stream.online", "stream.offline"})
      fake.add_subscription(
          {std::string(type == std::string("stream.online") ? "on-" : "off-") + id, type,
           "1", "enabled", id, callback, e2e_secret, ""});
    if (i % 10 == 0)
      fake.set_live({"", id, "", "", "", "Scale", "live", 100 + i, "", {}});
  }
  preload_streamers(redis.port(), count);

  server_process server{{{"PORT", std::to_string(port)},
                         {"STORAGE_TYPE", "redis"},
                         {"REDIS_URL", redis.url()},
                         {"TWITCH_CLIENT_ID", fake.client_id()},
                         {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                         {"TWITCH_API_URL", fake.api_url()},
                         {"TWITCH_AUTH_URL", fake.auth_url()},
                         {"WEBHOOK_SECRET", e2e_secret},
                         {"WEBHOOK_URL", callback},
                         {"REFRESH_INTERVAL", "10"},
                         {"LOG_LEVEL", "debug"}}};
  auto n = std::to_string(count);
  ASSERT_TRUE(server.wait_for_log("reconciled " + n + " streamers", 120s))
      << server.log();
  EXPECT_EQ(fake.calls("POST", "/helix/eventsub/subscriptions"), 0);  // all adopted
  // Start-up initialised every status in one batched round; the refresher logs (at debug)
  // when a round's Get Streams calls are done, so two such lines mean the start-up round
  // and one periodic round (the next is 10 s away).
  const std::string round_done = "refresher: " + n + " monitored";
  auto rounds_done = [&] {
    auto log = server.log();
    size_t count = 0;
    for (auto at = log.find(round_done); at != std::string::npos;
         at = log.find(round_done, at + 1))
      ++count;
    return count;
  };
  ASSERT_TRUE(eventually([&] { return rounds_done() >= 2; }, 60s)) << server.log();
  int calls = fake.calls("GET", "/helix/streams") - batches;
  EXPECT_EQ(calls, batches);
  for (auto& r : fake.requests())
    if (r.path == "/helix/streams") {
      EXPECT_NE(r.query.find("first=100"), std::string::npos) << r.query;
    }
  // The live ones are live, found by polling (no webhook was ever sent).
  auto status = json_doc(http_once(port, "GET", "/streamers/scale10/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));
  std::printf("BENCH refresh of %d streamers: %d Get Streams calls\n", count, calls);
}

}  // namespace
}  // namespace eventsubd::testing
