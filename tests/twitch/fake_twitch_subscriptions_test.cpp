// The fake Twitch's EventSub subscriptions: create, conflicts, validation, lists and
// their pages and filters, delete.
#include "core/time.hpp"
#include "tests/common/fake_twitch.hpp"
#include "tests/twitch/fake_twitch_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

// ---- EventSub subscriptions ----

TEST_F(FakeTwitch, CreateAnswers202AndConflicts409) {
  tw_.set_verify_callbacks(false);
  auto r = helix("POST", "/eventsub/subscriptions",
                 create_body("stream.online", "1001", "https://example.com/cb"));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.header("ratelimit-limit"), "800");
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  const auto& s = d["data"][0];
  auto id = str(s, "id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(str(s, "status"), "enabled");
  EXPECT_EQ(str(s, "type"), "stream.online");
  EXPECT_EQ(str(s, "version"), "1");
  EXPECT_EQ(str(s["condition"], "broadcaster_user_id"), "1001");
  EXPECT_EQ(str(s["transport"], "method"), "webhook");
  EXPECT_EQ(str(s["transport"], "callback"), "https://example.com/cb");
  EXPECT_FALSE(s["transport"].HasMember("secret"));
  EXPECT_EQ(r.body.find("s3cRe7s3cRe7"), std::string::npos);
  EXPECT_EQ(s["cost"].GetInt(), 1);
  EXPECT_TRUE(parse_rfc3339(str(s, "created_at")).has_value());
  EXPECT_EQ(d["total"].GetInt(), 1);
  EXPECT_EQ(d["total_cost"].GetInt(), 1);
  EXPECT_EQ(d["max_total_cost"].GetInt(), 10000);

  auto subs = tw_.subscriptions();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].id, id);
  EXPECT_EQ(subs[0].secret, "s3cRe7s3cRe7");

  r = helix("POST", "/eventsub/subscriptions",
            create_body("stream.online", "1001", "https://example.com/other"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(
      r.body,
      R"({"error":"Conflict","status":409,"message":"subscription already exists"})");

  // Another type for the same user is fine; a failed one does not conflict.
  EXPECT_EQ(helix("POST", "/eventsub/subscriptions",
                  create_body("stream.offline", "1001", "https://example.com/cb"))
                .status,
            202);
  tw_.set_subscription_status(id, "webhook_callback_verification_failed");
  EXPECT_EQ(helix("POST", "/eventsub/subscriptions",
                  create_body("stream.online", "1001", "https://example.com/cb"))
                .status,
            202);
  EXPECT_EQ(tw_.subscriptions().size(), 3u);
}

TEST_F(FakeTwitch, CreateValidation) {
  tw_.set_verify_callbacks(false);
  auto bad = [&](const std::string& body) {
    auto r = helix("POST", "/eventsub/subscriptions", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    auto d = parse_json(r.body);
    EXPECT_EQ(str(d, "error"), "Bad Request");
    EXPECT_NE(str(d, "message"), "<missing>");
  };
  bad("not json");
  bad(create_body("channel.follow", "1001", "http://x/cb"));
  bad(create_body("stream.online", "999", "http://x/cb"));  // unknown user
  bad(create_body("stream.online", "1001", ""));
  bad(create_body("stream.online", "1001", "http://x/cb", "short"));
  bad(create_body("stream.online", "1001", "http://x/cb", std::string(101, 'a')));
  bad(R"({"type":"stream.online","version":"2","condition":{"broadcaster_user_id":"1001"},)"
      R"("transport":{"method":"webhook","callback":"http://x/cb","secret":"0123456789"}})");
  bad(R"({"type":"stream.online","version":"1","condition":{"broadcaster_user_id":"1001"},)"
      R"("transport":{"method":"websocket","callback":"http://x/cb","secret":"0123456789"}})");
  EXPECT_TRUE(tw_.subscriptions().empty());
  EXPECT_EQ(
      helix("POST", "/eventsub/subscriptions",
            create_body("stream.online", "1001", "http://x/cb", std::string(100, 'a')))
          .status,
      202);
}

TEST_F(FakeTwitch, ListPaginatesOldestFirstAndFilters) {
  tw_.set_subscription_page_size(2);
  for (int i = 0; i < 5; ++i) {
    fake_subscription s;
    s.type = i % 2 ? "stream.offline" : "stream.online";
    s.broadcaster_user_id = std::to_string(1001 + i % 3);
    s.callback = "https://example.com/cb";
    s.secret = "0123456789";
    if (i == 4) s.status = "webhook_callback_verification_failed";
    tw_.add_subscription(s);
  }
  auto all = tw_.subscriptions();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].status, "enabled");
  EXPECT_EQ(all[0].id.size(), 36u);

  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  for (;;) {
    auto r = helix("GET",
                   "/eventsub/subscriptions" + (after.empty() ? "" : "?after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = parse_json(r.body);
    ++pages;
    EXPECT_LE(d["data"].Size(), 2u);
    EXPECT_EQ(d["total"].GetInt(), 5);
    EXPECT_EQ(d["total_cost"].GetInt(), 5);
    EXPECT_EQ(d["max_total_cost"].GetInt(), 10000);
    for (const auto& s : d["data"].GetArray()) seen.push_back(str(s, "id"));
    if (!d["pagination"].HasMember("cursor")) break;
    after = str(d["pagination"], "cursor");
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(seen[i], all[i].id);

  // Deleting while paginating skips nothing.
  auto d = parse_json(helix("GET", "/eventsub/subscriptions").body);
  after = str(d["pagination"], "cursor");
  EXPECT_EQ(helix("DELETE", "/eventsub/subscriptions?id=" + all[0].id).status, 204);
  d = parse_json(helix("GET", "/eventsub/subscriptions?after=" + after).body);
  ASSERT_EQ(d["data"].Size(), 2u);
  EXPECT_EQ(str(d["data"][0], "id"), all[2].id);

  d = parse_json(helix("GET", "/eventsub/subscriptions?user_id=1002").body);
  ASSERT_EQ(d["data"].Size(), 2u);  // i = 1 and 4
  EXPECT_EQ(str(d["data"][0]["condition"], "broadcaster_user_id"), "1002");
  d = parse_json(
      helix("GET", "/eventsub/subscriptions?status=webhook_callback_verification_failed")
          .body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "id"), all[4].id);
  d = parse_json(helix("GET", "/eventsub/subscriptions?type=stream.offline").body);
  EXPECT_EQ(d["data"].Size(), 2u);
  d = parse_json(
      helix("GET", "/eventsub/subscriptions?subscription_id=" + all[3].id).body);
  ASSERT_EQ(d["data"].Size(), 1u);

  EXPECT_EQ(
      helix("GET", "/eventsub/subscriptions?type=stream.online&user_id=1001").status,
      400);
  EXPECT_EQ(helix("GET", "/eventsub/subscriptions?after=garbage").status, 400);
}

TEST_F(FakeTwitch, Delete) {
  fake_subscription s;
  s.type = "stream.online";
  s.broadcaster_user_id = "1001";
  s.callback = "https://example.com/cb";
  s.secret = "0123456789";
  s.id = "fixed-id";
  tw_.add_subscription(s);

  auto r = helix("DELETE", "/eventsub/subscriptions?id=fixed-id");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(tw_.subscriptions().empty());

  r = helix("DELETE", "/eventsub/subscriptions?id=fixed-id");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            R"({"error":"Not Found","status":404,"message":"subscription not found"})");
  EXPECT_EQ(helix("DELETE", "/eventsub/subscriptions").status, 400);
}

// ---- Fault injection and rate-limit headers ----
}  // namespace
}  // namespace eventsubd::testing
