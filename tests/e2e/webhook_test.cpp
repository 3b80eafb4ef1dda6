// End to end: the real eventsubd binary, real HTTP over loopback, real HMAC.
#include "tests/common/fixtures.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class webhook_e2e : public ::testing::Test {
 protected:
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  uint16_t port() const { return server.port(); }

  json_doc status_of(const std::string& login) {
    auto r = http_once(port(), "GET", "/streamers/" + login + "/status");
    EXPECT_EQ(r.status, 200) << r.body;
    return json_doc(r.body);
  }
};

TEST_F(webhook_e2e, challenge_is_echoed_raw_as_text_plain) {
  auto body = fixture("verification.json");
  auto r = post_signed(port(), body, "webhook_callback_verification");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pogchamp-kappa-360noscope-vohiyo");
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.header("content-length"), "32");
}

TEST_F(webhook_e2e, challenge_with_a_bad_signature_is_refused) {
  auto body = fixture("verification.json");
  auto headers =
      eventsub_headers("another-secret-value", body, "webhook_callback_verification",
                       unique_id(), twitch_timestamp());
  auto r = http_once(port(), "POST", "/webhooks/eventsub", body, headers);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body.find("pogchamp"), std::string::npos);
}

TEST_F(webhook_e2e, online_notification_updates_status_live_list_and_events) {
  auto started = twitch_timestamp(-30s);
  auto body = online_body("1001", "alpha", "stream-1", started);
  auto id = unique_id();
  auto r = post_signed(port(), body, "notification", id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"status":"success"})");

  auto status = status_of("alpha");
  EXPECT_EQ(std::string_view(status.root["user_id"]), "1001");
  EXPECT_EQ(std::string_view(status.root["username"]), "alpha");
  EXPECT_EQ(std::string_view(status.root["display_name"]), "alpha");
  EXPECT_TRUE(bool(status.root["is_live"]));
  EXPECT_EQ(std::string_view(status.root["stream_data"]["id"]), "stream-1");
  EXPECT_EQ(std::string_view(status.root["stream_data"]["started_at"]), started);
  EXPECT_EQ(std::string_view(status.root["last_event_type"]), "stream.online");
  EXPECT_EQ(std::string_view(status.root["source"]), "storage");
  EXPECT_TRUE(parse_rfc3339(std::string_view(status.root["last_updated"])).has_value());

  auto live = json_doc(http_once(port(), "GET", "/streams/live").body);
  EXPECT_EQ(int64_t(live.root["count"]), 1);
  auto first = live.root["live_streams"].at(0);
  EXPECT_EQ(std::string_view(first["username"]), "alpha");
  EXPECT_TRUE(first["source"].error() == simdjson::NO_SUCH_FIELD);

  auto events = json_doc(http_once(port(), "GET", "/events").body);
  auto ev = events.root["events"].at(0);
  EXPECT_EQ(std::string_view(ev["id"]), id);
  EXPECT_EQ(std::string_view(ev["event_type"]), "stream.online");
  EXPECT_EQ(std::string_view(ev["broadcaster_id"]), "1001");
  EXPECT_EQ(std::string_view(ev["broadcaster_login"]), "alpha");
  EXPECT_EQ(std::string_view(ev["broadcaster_name"]), "alpha");
  EXPECT_EQ(std::string_view(ev["data"]["id"]), "stream-1");
  EXPECT_TRUE(server.wait_for_log("Stream online: alpha (alpha)"));
}

TEST_F(webhook_e2e, offline_after_online_clears_live_state) {
  ASSERT_EQ(
      post_signed(port(), online_body("1002", "beta", "s-2", twitch_timestamp(-60s)))
          .status,
      200);
  ASSERT_EQ(post_signed(port(), offline_body("1002", "beta")).status, 200);
  auto status = status_of("beta");
  EXPECT_FALSE(bool(status.root["is_live"]));
  EXPECT_TRUE(status.root["stream_data"].is_null());
  EXPECT_EQ(std::string_view(status.root["last_event_type"]), "stream.offline");
  EXPECT_EQ(
      int64_t(json_doc(http_once(port(), "GET", "/streams/live").body).root["count"]), 0);
  EXPECT_EQ(event_count(port()), 2u);
}

TEST_F(webhook_e2e, missing_signature_headers_are_refused_and_nothing_is_stored) {
  auto body = online_body("1003", "gamma", "s-3", twitch_timestamp(-5s));
  for (const char* drop :
       {"Twitch-Eventsub-Message-Signature", "Twitch-Eventsub-Message-Id",
        "Twitch-Eventsub-Message-Timestamp"}) {
    auto headers = eventsub_headers(e2e_secret, body, "notification", unique_id(),
                                    twitch_timestamp());
    headers.erase(drop);
    auto r = http_once(port(), "POST", "/webhooks/eventsub", body, headers);
    EXPECT_EQ(r.status, 403) << drop;
    EXPECT_NE(r.body.find("detail"), std::string::npos);
  }
  EXPECT_EQ(event_count(port()), 0u);
  EXPECT_EQ(http_once(port(), "GET", "/streamers/gamma/status").status, 503);
}

TEST_F(webhook_e2e, wrong_signature_or_other_body_is_refused) {
  auto body = online_body("1004", "delta", "s-4", twitch_timestamp(-5s));
  auto headers =
      eventsub_headers(e2e_secret, body, "notification", unique_id(), twitch_timestamp());
  auto tampered = body;
  tampered[tampered.size() - 5] = 'X';  // a valid signature over a different body
  EXPECT_EQ(http_once(port(), "POST", "/webhooks/eventsub", tampered, headers).status,
            403);
  headers["Twitch-Eventsub-Message-Signature"] = "sha256=" + std::string(64, '0');
  EXPECT_EQ(http_once(port(), "POST", "/webhooks/eventsub", body, headers).status, 403);
  headers["Twitch-Eventsub-Message-Signature"] = "garbage";
  EXPECT_EQ(http_once(port(), "POST", "/webhooks/eventsub", body, headers).status, 403);
  EXPECT_EQ(event_count(port()), 0u);
}

TEST_F(webhook_e2e, stale_and_future_timestamps_are_refused) {
  auto body = online_body("1005", "epsilon", "s-5", twitch_timestamp(-3600s));
  auto stale =
      post_signed(port(), body, "notification", unique_id(), twitch_timestamp(-11min));
  EXPECT_EQ(stale.status, 403);
  EXPECT_NE(stale.body.find("10 minutes"), std::string::npos);
  EXPECT_EQ(
      post_signed(port(), body, "notification", unique_id(), twitch_timestamp(11min))
          .status,
      403);
  EXPECT_EQ(post_signed(port(), body, "notification", unique_id(), "yesterday").status,
            403);
  EXPECT_EQ(event_count(port()), 0u);
  // Inside the window (9 minutes old) is accepted.
  EXPECT_EQ(
      post_signed(port(), body, "notification", unique_id(), twitch_timestamp(-9min))
          .status,
      200);
  EXPECT_EQ(event_count(port()), 1u);
}

TEST_F(webhook_e2e, signature_vector_b_is_valid_but_stale) {
  server_process vector_server{{{"WEBHOOK_SECRET", "testsecret123"}}};
  auto body = fixture("vector_b.body");
  header_map headers{
      {"Twitch-Eventsub-Message-Id", "fixed-msg-id-1"},
      {"Twitch-Eventsub-Message-Timestamp", "2024-01-01T00:00:00.123456789Z"},
      {"Twitch-Eventsub-Message-Signature",
       "sha256=332ec1a8dc878ec12159665592454c435813338d8ad42b9e71e6825c76dbd7d2"},
      {"Twitch-Eventsub-Message-Type", "notification"}};
  auto r = http_once(vector_server.port(), "POST", "/webhooks/eventsub", body, headers);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("older than 10 minutes"), std::string::npos) << r.body;
  // The signature itself was accepted: a wrong one says so instead.
  headers["Twitch-Eventsub-Message-Signature"] = "sha256=" + std::string(64, 'a');
  r = http_once(vector_server.port(), "POST", "/webhooks/eventsub", body, headers);
  EXPECT_NE(r.body.find("Invalid signature"), std::string::npos);
  EXPECT_EQ(event_count(vector_server.port()), 0u);
}

TEST_F(webhook_e2e, duplicate_message_id_is_acknowledged_but_applied_once) {
  auto body = online_body("1006", "zeta", "s-6", twitch_timestamp(-5s));
  auto id = unique_id();
  auto ts = twitch_timestamp();
  EXPECT_EQ(post_signed(port(), body, "notification", id, ts).body,
            R"({"status":"success"})");
  auto again = post_signed(port(), body, "notification", id, ts);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, R"({"status":"duplicate"})");
  EXPECT_EQ(event_count(port()), 1u);
}

TEST_F(webhook_e2e, concurrent_duplicates_are_applied_once) {
  auto body = online_body("1007", "eta", "s-7", twitch_timestamp(-5s));
  auto id = unique_id();
  auto ts = twitch_timestamp();
  auto headers = eventsub_headers(e2e_secret, body, "notification", id, ts);
  std::vector<std::thread> senders;
  std::vector<int> statuses(8, 0);
  for (int i = 0; i < 8; ++i)
    senders.emplace_back([&, i] {
      statuses[i] = http_once(port(), "POST", "/webhooks/eventsub", body, headers).status;
    });
  for (auto& t : senders) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  EXPECT_EQ(event_count(port()), 1u);
}

TEST_F(webhook_e2e, same_event_under_a_new_message_id_is_a_duplicate) {
  auto body = online_body("1008", "theta", "s-8", twitch_timestamp(-5s));
  EXPECT_EQ(post_signed(port(), body).body, R"({"status":"success"})");
  auto resent = post_signed(port(), body);  // new message id, same stream id
  EXPECT_EQ(resent.status, 200);
  EXPECT_EQ(resent.body, R"({"status":"duplicate"})");
  EXPECT_EQ(post_signed(port(), offline_body("1008", "theta")).body,
            R"({"status":"success"})");
  EXPECT_EQ(post_signed(port(), offline_body("1008", "theta")).body,
            R"({"status":"duplicate"})");
  EXPECT_EQ(event_count(port()), 2u);
}

TEST_F(webhook_e2e, late_online_for_an_ended_stream_does_not_flip_back_to_live) {
  auto online = online_body("1009", "iota", "s-9", twitch_timestamp(-120s));
  ASSERT_EQ(post_signed(port(), online).status, 200);
  ASSERT_EQ(post_signed(port(), offline_body("1009", "iota")).status, 200);
  EXPECT_EQ(post_signed(port(), online).status, 200);  // Twitch resends the old online
  EXPECT_FALSE(bool(status_of("iota").root["is_live"]));
  // A genuinely new stream goes live again.
  auto next = online_body("1009", "iota", "s-10", twitch_timestamp(5s));
  EXPECT_EQ(post_signed(port(), next).body, R"({"status":"success"})");
  EXPECT_TRUE(bool(status_of("iota").root["is_live"]));
  EXPECT_EQ(event_count(port()), 3u);
  // (An unknown stream id is a new stream whatever its timestamps: see
  // tests/e2e/stream_identity_test.cpp.)
}

TEST_F(webhook_e2e, revocation_is_acknowledged_and_records_no_event) {
  auto r = post_signed(port(), fixture("revocation.json"), "revocation");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success"})");
  EXPECT_EQ(event_count(port()), 0u);
  EXPECT_TRUE(server.wait_for_log("revoked: notification_failures_exceeded"));
}

TEST_F(webhook_e2e, malformed_bodies_are_400_and_store_nothing) {
  const std::string cases[] = {
      "{not json",
      "[1,2,3]",
      "\"a string\"",
      R"({"subscription":{"type":"stream.online"}})",              // no event
      R"({"event":{"broadcaster_user_id":"1"}})",                  // no subscription
      R"({"subscription":{"type":"stream.online"},"event":"x"})",  // event not an object
      R"({"subscription":{"type":"stream.online"},"event":{"broadcaster_user_id":"1"}})",
      "{\"subscription\":{\"type\":\"stream.online\"},\"event\":{\"broadcaster_user_id\":"
      "\"1\","
      "\"broadcaster_user_login\":\"a\xff\",\"broadcaster_user_name\":\"a\"}}",  // not
                                                                                 // UTF-8
      R"({"subscription":{"type":"stream.online"},"event":{}} trailing)",
  };
  for (const auto& body : cases) {
    auto r = post_signed(port(), body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find("\"detail\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(event_count(port()), 0u);
  EXPECT_EQ(json_doc(http_once(port(), "GET", "/streams/live").body)
                .root["count"]
                .get_int64()
                .value(),
            0);
}

TEST_F(webhook_e2e, unknown_subscription_type_is_acknowledged_and_ignored) {
  auto body = fixture("vector_a.body");  // channel.follow
  auto r = post_signed(port(), body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ignored"})");
  EXPECT_EQ(event_count(port()), 0u);
}

TEST_F(webhook_e2e, body_over_one_mebibyte_is_413) {
  std::string body(1024 * 1024 + 1, ' ');
  auto r = post_signed(port(), body);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("detail"), std::string::npos);
  // Exactly 1 MiB is read (and then refused for what it is: not JSON).
  std::string at_limit(1024 * 1024, ' ');
  EXPECT_EQ(post_signed(port(), at_limit).status, 400);
}

TEST_F(webhook_e2e, header_names_are_case_insensitive) {
  auto body = online_body("1010", "kappa", "s-11", twitch_timestamp(-5s));
  header_map lower;
  for (auto& [k, v] : eventsub_headers(e2e_secret, body, "notification", unique_id(),
                                       twitch_timestamp())) {
    std::string name = k;
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    lower[name] = v;
  }
  EXPECT_EQ(http_once(port(), "POST", "/webhooks/eventsub", body, lower).status, 200);
}

TEST_F(webhook_e2e, uppercase_login_in_event_is_stored_lowercase) {
  auto body = online_body("1011", "MixedCase", "s-12", twitch_timestamp(-5s));
  ASSERT_EQ(post_signed(port(), body).status, 200);
  auto status = status_of("MIXEDCASE");
  EXPECT_EQ(std::string_view(status.root["username"]), "mixedcase");
}

TEST(webhook_disabled_e2e, without_a_secret_the_webhook_is_503_and_the_rest_works) {
  for (const char* secret : {"", "short", "change-me-to-a-random-secret"}) {
    server_process server{{{"WEBHOOK_SECRET", secret}}};
    auto body = fixture("stream_online.json");
    auto r = http_once(server.port(), "POST", "/webhooks/eventsub", body,
                       eventsub_headers("whatever-secret-1", body, "notification",
                                        unique_id(), twitch_timestamp()));
    EXPECT_EQ(r.status, 503) << secret;
    EXPECT_NE(r.body.find("WEBHOOK_SECRET"), std::string::npos) << r.body;
    EXPECT_EQ(http_once(server.port(), "GET", "/").status, 200);
    EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
  }
}

}  // namespace
}  // namespace eventsubd::testing
