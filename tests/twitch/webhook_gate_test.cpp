// The webhook gate: everything about a delivery that needs no state, decided on the
// HTTP thread before any actor hop.
#include "twitch/webhook_gate.hpp"

#include "core/json_read.hpp"
#include "tests/common/fixtures.hpp"
#include "twitch/signature.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;

constexpr const char* secret = "gate-test-secret-0123";

webhook_request signed_request(const std::string& body, const std::string& id = "id-1",
                               const std::string& type = "notification",
                               sys_time at = now()) {
  webhook_request r;
  r.message_id = id;
  r.timestamp = format_rfc3339(at);
  r.signature = signature_verifier(secret).sign(id, r.timestamp, body);
  r.message_type = type;
  r.body = body;
  r.has_id = r.has_timestamp = r.has_signature = r.has_type = true;
  return r;
}

class webhook_gate_test : public ::testing::Test {
 protected:
  webhook_gate gate{{secret, {}, std::chrono::seconds(600)}};
  std::string online = eventsubd::testing::fixture("stream_online.json");
};

TEST_F(webhook_gate_test, a_signed_notification_passes_with_its_parsed_message) {
  auto v = gate.check(signed_request(online, "msg-42"));
  ASSERT_FALSE(v.answered) << v.answer.detail;
  EXPECT_EQ(v.event.type, message_type::notification);
  EXPECT_EQ(v.event.message_id, "msg-42");
  EXPECT_EQ(v.event.message.subscription.type, "stream.online");
  EXPECT_FALSE(v.event.message.event.broadcaster_user_login.empty());
}

TEST_F(webhook_gate_test, a_disabled_webhook_answers_503_with_the_reason) {
  webhook_gate disabled{{"", "WEBHOOK_SECRET is not set", std::chrono::seconds(600)}};
  auto v = disabled.check(signed_request(online));
  ASSERT_TRUE(v.answered);
  EXPECT_EQ(v.answer.code, errc::unavailable);
  EXPECT_EQ(v.answer.detail, "WEBHOOK_SECRET is not set");
}

TEST_F(webhook_gate_test, missing_headers_are_named) {
  auto r = signed_request(online);
  r.has_signature = false;
  auto v = gate.check(std::move(r));
  ASSERT_TRUE(v.answered);
  EXPECT_EQ(v.answer.code, errc::forbidden);
  EXPECT_EQ(v.answer.detail, "Missing Twitch-Eventsub-Message-Signature header");
  auto both = signed_request(online);
  both.has_id = both.has_timestamp = false;
  EXPECT_EQ(
      gate.check(std::move(both)).answer.detail,
      "Missing Twitch-Eventsub-Message-Id, Twitch-Eventsub-Message-Timestamp header");
}

TEST_F(webhook_gate_test, a_bad_signature_is_403) {
  auto r = signed_request(online);
  r.body += " ";
  auto v = gate.check(std::move(r));
  ASSERT_TRUE(v.answered);
  EXPECT_EQ(v.answer.code, errc::forbidden);
  EXPECT_EQ(v.outcome, metrics::outcome::bad_signature);
}

TEST_F(webhook_gate_test, message_ids_that_are_not_short_ascii_are_400) {
  for (std::string id :
       {std::string{}, std::string(15000, 'a'), std::string("\xe9\xff"),
        std::string("has space"), std::string("tab\tid"), std::string(129, 'x')}) {
    auto v = gate.check(signed_request(online, id));
    ASSERT_TRUE(v.answered) << id.size();
    EXPECT_EQ(v.answer.code, errc::bad_request) << id.size();
    EXPECT_EQ(v.outcome, metrics::outcome::malformed);
  }
  EXPECT_FALSE(gate.check(signed_request(online, std::string(128, 'x'))).answered);
  EXPECT_FALSE(gate.check(signed_request(online, "befa7b53-d79d-478f-86b9-120f112b044e"))
                   .answered);
}

TEST_F(webhook_gate_test, stale_and_future_timestamps_are_403_but_challenges_are_not) {
  auto old = gate.check(signed_request(online, "a", "notification", now() - 11min));
  EXPECT_EQ(old.answer.code, errc::forbidden);
  EXPECT_EQ(old.outcome, metrics::outcome::stale);
  auto future = gate.check(signed_request(online, "b", "notification", now() + 11min));
  EXPECT_EQ(future.answer.code, errc::forbidden);
  auto challenge =
      gate.check(signed_request(eventsubd::testing::fixture("verification.json"), "c",
                                "webhook_callback_verification", now() - 11min));
  ASSERT_TRUE(challenge.answered);
  EXPECT_TRUE(challenge.answer.ok());
  EXPECT_EQ(challenge.answer.kind, body_kind::text);
}

TEST_F(webhook_gate_test, unknown_message_types_are_acknowledged_and_ignored) {
  auto v = gate.check(signed_request(online, "d", "something_new"));
  ASSERT_TRUE(v.answered);
  EXPECT_EQ(*v.answer.body, R"({"status":"ignored"})");
}

TEST_F(webhook_gate_test, malformed_bodies_and_logins_are_400) {
  EXPECT_EQ(gate.check(signed_request("{not json", "e")).answer.code, errc::bad_request);
  std::string bad_login = online;
  auto at = bad_login.find("\"broadcaster_user_login\":\"");
  ASSERT_NE(at, std::string::npos);
  bad_login.insert(at + 26, "-");
  EXPECT_EQ(gate.check(signed_request(bad_login, "f")).answer.code, errc::bad_request);
}

TEST_F(webhook_gate_test, many_threads_verify_at_once) {
  std::vector<std::thread> threads;
  std::atomic<int> passed{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        if (!gate.check(signed_request(online,
                                       "t" + std::to_string(t) + "-" + std::to_string(i)))
                 .answered)
          ++passed;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(passed.load(), 800);
}

}  // namespace
}  // namespace eventsubd::twitch
