// The fake Twitch's rate-limit headers and injected faults (fail_next, garbage_next,
// delay_next).
#include "tests/common/fake_twitch.hpp"
#include "tests/twitch/fake_twitch_fixture.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

// ---- Fault injection and rate-limit headers ----

TEST_F(FakeTwitch, RateLimitHeadersCountDown) {
  auto r1 = helix("GET", "/users?id=1001");
  auto r2 = helix("GET", "/users?id=1001");
  EXPECT_EQ(r1.header("ratelimit-limit"), "800");
  EXPECT_EQ(std::stoi(r1.header("ratelimit-remaining")) - 1,
            std::stoi(r2.header("ratelimit-remaining")));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto reset = std::stoll(r1.header("ratelimit-reset"));
  EXPECT_GE(reset, now);
  EXPECT_LE(reset, now + 61);
}

TEST_F(FakeTwitch, FailNext429CarriesRateLimitHeaders) {
  tw_.fail_next(2, 429, "/helix/streams", 3);
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 200);  // other path: untouched

  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto r = helix("GET", "/streams");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(r.header("ratelimit-limit"), "800");
  EXPECT_EQ(r.header("ratelimit-remaining"), "0");
  auto reset = std::stoll(r.header("ratelimit-reset"));
  EXPECT_GE(reset, now + 3);
  EXPECT_LE(reset, now + 4);
  EXPECT_EQ(str(parse_json(r.body), "error"), "Too Many Requests");

  EXPECT_EQ(helix("GET", "/streams").status, 429);
  EXPECT_EQ(helix("GET", "/streams").status, 200);
}

TEST_F(FakeTwitch, FailNextServerErrors) {
  tw_.fail_next(1, 503);
  tw_.fail_next(1, 500, "/users");
  auto r = helix("GET", "/users?id=1001");
  EXPECT_EQ(r.status, 503);
  auto d = parse_json(r.body);
  EXPECT_EQ(d["status"].GetInt(), 503);
  EXPECT_EQ(str(d, "error"), "Service Unavailable");
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 500);
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 200);
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 3);
}

TEST_F(FakeTwitch, GarbageNext) {
  tw_.garbage_next(1, "/helix/eventsub");
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  auto r = helix("GET", "/eventsub/subscriptions");
  EXPECT_EQ(r.status, 200);
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  EXPECT_TRUE(d.HasParseError()) << r.body;
  r = helix("GET", "/eventsub/subscriptions");
  EXPECT_FALSE(parse_json(r.body).HasParseError());
}

TEST_F(FakeTwitch, DelayNext) {
  tw_.delay_next(1, 300ms, "/streams");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);
}

}  // namespace
}  // namespace eventsubd::testing
