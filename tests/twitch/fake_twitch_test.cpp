// The fake Twitch (tests/common/fake_twitch): OAuth, Helix authentication, users and
// streams, what it records, and its shutdown.
#include "tests/common/fake_twitch.hpp"

#include "core/time.hpp"
#include "tests/common/http_client.hpp"
#include "tests/twitch/fake_twitch_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

fake_stream live(const std::string& user_id, const std::string& title, int viewers,
                 std::vector<std::string> tags = {}) {
  fake_stream s;
  s.user_id = user_id;
  s.title = title;
  s.viewer_count = viewers;
  s.tags = std::move(tags);
  return s;
}

// ---- OAuth ----

TEST_F(FakeTwitch, UrlsAndDefaults) {
  EXPECT_NE(tw_.port(), 0);
  EXPECT_EQ(tw_.api_url(), "http://127.0.0.1:" + std::to_string(tw_.port()) + "/helix");
  EXPECT_EQ(tw_.auth_url(), "http://127.0.0.1:" + std::to_string(tw_.port()) + "/oauth2");
  EXPECT_EQ(tw_.client_id(), "fake-client-id");
  EXPECT_EQ(tw_.client_secret(), "fake-client-secret");
}

TEST_F(FakeTwitch, TokenFromFormBodyAndFromQuery) {
  auto r =
      client_->request("POST", "/oauth2/token",
                       "client_id=fake%2Dclient%2Did&client_secret=fake-client-secret"
                       "&grant_type=client_credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "token_type"), "bearer");
  EXPECT_EQ(d["expires_in"].GetInt(), 5011271);
  auto first = str(d, "access_token");
  EXPECT_GE(first.size(), 20u);

  r = client_->request("POST",
                       "/oauth2/token?client_id=fake-client-id&client_secret=fake-client-"
                       "secret&grant_type=client_credentials");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(str(parse_json(r.body), "access_token"), first);
  EXPECT_EQ(tw_.tokens_issued(), 2);
}

TEST_F(FakeTwitch, TokenFailures) {
  auto r =
      client_->request("POST",
                       "/oauth2/token?client_id=nope&client_secret=fake-client-secret"
                       "&grant_type=client_credentials");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":400,"message":"invalid client"})");

  r = client_->request("POST", "/oauth2/token",
                       "client_id=fake-client-id&client_secret=wrong"
                       "&grant_type=client_credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"status":403,"message":"invalid client secret"})");

  r = client_->request("POST",
                       "/oauth2/token?client_id=fake-client-id&client_secret=fake-client-"
                       "secret");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(tw_.tokens_issued(), 0);
}

TEST_F(FakeTwitch, Validate) {
  auto t = token();
  auto r =
      client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + t}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "client_id"), "fake-client-id");
  EXPECT_TRUE(d["scopes"].IsArray());
  EXPECT_EQ(d["scopes"].Size(), 0u);
  EXPECT_EQ(d["expires_in"].GetInt(), 5011271);

  r = client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth bogus"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"status":401,"message":"invalid access token"})");
  r = client_->request("GET", "/oauth2/validate");
  EXPECT_EQ(r.status, 401);

  tw_.revoke_tokens();
  r = client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + t}});
  EXPECT_EQ(r.status, 401);
}

// ---- Helix authentication ----

TEST_F(FakeTwitch, HelixNeedsTokenAndClientId) {
  constexpr const char* unauthorized =
      R"({"error":"Unauthorized","status":401,"message":"Invalid OAuth token"})";
  auto r = client_->request("GET", "/helix/users?id=1001");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, unauthorized);
  EXPECT_EQ(r.header("ratelimit-limit"), "800");

  auto t = token();
  r = client_->request("GET", "/helix/users?id=1001", {},
                       {{"Authorization", "Bearer " + t}, {"Client-Id", "other-client"}});
  EXPECT_EQ(r.status, 401);
  r = client_->request("GET", "/helix/users?id=1001", {},
                       {{"Authorization", "Bearer " + t}});
  EXPECT_EQ(r.status, 401);
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer nope"}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 401);
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + t}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 200);

  tw_.revoke_tokens();
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + t}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, unauthorized);

  // A fresh token works again.
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + token()}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(FakeTwitch, UnknownPathsAre404) {
  EXPECT_EQ(client_->request("GET", "/nothing").status, 404);
  EXPECT_EQ(helix("GET", "/games?id=1").status, 404);
  EXPECT_EQ(helix("PUT", "/eventsub/subscriptions").status, 404);
  EXPECT_EQ(client_->request("GET", "/oauth2/token").status, 404);
}

// ---- Users ----

TEST_F(FakeTwitch, UsersByLoginCaseInsensitiveAndById) {
  auto r = helix("GET", "/users?login=ALICE&id=1002&login=nobody&login=%43arol&id=999");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 3u);
  std::vector<std::string> ids;
  for (const auto& u : d["data"].GetArray()) ids.push_back(str(u, "id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"1001", "1002", "1003"}));
  const auto& alice = d["data"][0];
  EXPECT_EQ(str(alice, "login"), "alice");
  EXPECT_EQ(str(alice, "display_name"), "Alice");
  EXPECT_EQ(str(alice, "type"), "");
  EXPECT_EQ(str(alice, "broadcaster_type"), "");
  EXPECT_EQ(alice["view_count"].GetInt(), 0);
  EXPECT_EQ(str(alice, "created_at"), "2020-01-01T00:00:00Z");

  r = helix("GET", "/users?login=nobody");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse_json(r.body)["data"].Size(), 0u);
}

TEST_F(FakeTwitch, UsersParameterLimits) {
  auto r = helix("GET", "/users");
  EXPECT_EQ(r.status, 400);
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "error"), "Bad Request");
  EXPECT_EQ(d["status"].GetInt(), 400);

  std::string q = "/users?";
  for (int i = 0; i < 60; ++i) q += "id=" + std::to_string(i) + "&";
  for (int i = 0; i < 40; ++i) q += "login=u" + std::to_string(i) + "&";
  EXPECT_EQ(helix("GET", q).status, 200);
  EXPECT_EQ(helix("GET", q + "login=one_more").status, 400);
}

// ---- Streams ----

TEST_F(FakeTwitch, StreamsPaginateOverLiveUsersOnly) {
  tw_.set_live(live("1001", "a", 30, {"English"}));
  tw_.set_live(live("1002", "b", 10));
  tw_.set_live(live("1003", "c", 20));
  // 1004 is a user but offline.

  const std::string ids = "user_id=1001&user_id=1002&user_id=1003&user_id=1004";
  auto r = helix("GET", "/streams?" + ids + "&first=2");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 2u);
  EXPECT_EQ(str(d["data"][0], "user_id"), "1001");  // by viewer count
  EXPECT_EQ(str(d["data"][1], "user_id"), "1003");
  auto cursor = str(d["pagination"], "cursor");
  ASSERT_NE(cursor, "<missing>");

  const auto& s = d["data"][0];
  EXPECT_FALSE(str(s, "id").empty());
  EXPECT_EQ(str(s, "user_login"), "alice");
  EXPECT_EQ(str(s, "user_name"), "Alice");
  EXPECT_EQ(str(s, "type"), "live");
  EXPECT_EQ(str(s, "title"), "a");
  EXPECT_EQ(s["viewer_count"].GetInt(), 30);
  EXPECT_TRUE(parse_rfc3339(str(s, "started_at")).has_value());
  EXPECT_EQ(str(s, "language"), "en");
  EXPECT_EQ(
      str(s, "thumbnail_url"),
      "https://static-cdn.jtvnw.net/previews-ttv/live_user_alice-{width}x{height}.jpg");
  ASSERT_EQ(s["tags"].Size(), 1u);
  EXPECT_EQ(std::string(s["tags"][0].GetString()), "English");
  EXPECT_EQ(s["tag_ids"].Size(), 0u);
  EXPECT_FALSE(s["is_mature"].GetBool());

  r = helix("GET", "/streams?" + ids + "&first=2&after=" + cursor);
  ASSERT_EQ(r.status, 200) << r.body;
  d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "user_id"), "1002");
  EXPECT_TRUE(d["pagination"].IsObject());
  EXPECT_EQ(d["pagination"].MemberCount(), 0u);

  // Offline users vanish; set_live replaces.
  tw_.set_offline("1001");
  tw_.set_live(live("1002", "b2", 5));
  r = helix("GET", "/streams?user_login=BOB&user_login=alice");
  d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "title"), "b2");
  EXPECT_EQ(tw_.streams().size(), 2u);
}

TEST_F(FakeTwitch, StreamsParameterChecks) {
  EXPECT_EQ(helix("GET", "/streams?first=0").status, 400);
  EXPECT_EQ(helix("GET", "/streams?first=101").status, 400);
  EXPECT_EQ(helix("GET", "/streams?first=abc").status, 400);
  EXPECT_EQ(helix("GET", "/streams?after=not-a-cursor").status, 400);
  std::string q = "/streams?";
  for (int i = 0; i < 101; ++i) q += "user_id=" + std::to_string(i) + "&";
  EXPECT_EQ(helix("GET", q).status, 400);

  // Without filters every live stream is listed, 20 per page by default.
  for (int i = 0; i < 25; ++i) tw_.set_live(live(std::to_string(5000 + i), "t", i));
  auto d = parse_json(helix("GET", "/streams").body);
  EXPECT_EQ(d["data"].Size(), 20u);
  EXPECT_TRUE(d["pagination"].HasMember("cursor"));
}

// ---- EventSub subscriptions ----
// ---- Observation ----

TEST_F(FakeTwitch, RecordsRequests) {
  auto t = token();
  tw_.reset_requests();
  token_ = t;
  helix("GET", "/users?login=alice");
  client_->request("GET", "/helix/streams");
  helix("POST", "/eventsub/subscriptions", "{}");

  auto reqs = tw_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].path, "/helix/users");
  EXPECT_EQ(reqs[0].query, "login=alice");
  EXPECT_EQ(reqs[0].authorization, "Bearer " + t);
  EXPECT_EQ(reqs[0].client_id, "fake-client-id");
  EXPECT_EQ(reqs[0].status, 200);
  EXPECT_EQ(reqs[1].status, 401);
  EXPECT_TRUE(reqs[1].authorization.empty());
  EXPECT_EQ(reqs[2].body, "{}");
  EXPECT_EQ(reqs[2].status, 400);
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 1);
  EXPECT_EQ(tw_.calls("POST", "/helix/users"), 0);

  tw_.reset_requests();
  EXPECT_TRUE(tw_.requests().empty());
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 0);
}

// ---- Shutdown ----

TEST(FakeTwitchShutdown, DestructorDoesNotHangWithOpenOrBusyConnections) {
  auto tw = std::make_unique<fake_twitch>();
  http_client idle(tw->port());
  EXPECT_EQ(idle.request("GET", "/nothing").status, 404);  // keep-alive, left open

  tw->delay_next(1, 30s);
  auto busy = std::async(std::launch::async, [port = tw->port()] {
    try {
      return http_once(port, "GET", "/helix/streams").status;
    } catch (const std::exception&) {
      return -1;
    }
  });
  std::this_thread::sleep_for(100ms);  // let the busy request reach its delay

  auto start = std::chrono::steady_clock::now();
  tw.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(busy.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace eventsubd::testing
