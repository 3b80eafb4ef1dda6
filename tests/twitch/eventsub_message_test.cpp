#include "twitch/eventsub_message.hpp"

#include "tests/common/fixtures.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <variant>

namespace eventsubd::twitch {
namespace {

using eventsubd::testing::fixture;

class EventsubParser : public ::testing::Test {
 protected:
  /// Parses and fails the test when the body is refused.
  eventsub_message ok(message_type type, const std::string& body) {
    auto result = parser_.parse(type, body);
    if (auto* why = std::get_if<std::string>(&result)) {
      ADD_FAILURE() << "refused: " << *why << "\nbody: " << body;
      return {};
    }
    return std::get<eventsub_message>(std::move(result));
  }

  /// Parses and returns the reason; fails the test when the body is accepted.
  std::string refused(message_type type, const std::string& body) {
    auto result = parser_.parse(type, body);
    if (std::holds_alternative<eventsub_message>(result)) {
      ADD_FAILURE() << "accepted: " << body;
      return {};
    }
    auto why = std::get<std::string>(result);
    EXPECT_FALSE(why.empty());
    return why;
  }

  eventsub_parser parser_;
};

/// The text of `obj[key]` in `json`, re-minified with simdjson (to compare content).
std::string minified_member(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(json).get(doc), simdjson::SUCCESS);
  simdjson::dom::element member;
  EXPECT_EQ(doc[key].get(member), simdjson::SUCCESS);
  return simdjson::minify(member);
}

std::string minified(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  return simdjson::minify(doc);
}

// --- message type header
// -----------------------------------------------------------------

TEST(ParseMessageType, KnownValuesCaseInsensitive) {
  EXPECT_EQ(parse_message_type("notification"), message_type::notification);
  EXPECT_EQ(parse_message_type("Notification"), message_type::notification);
  EXPECT_EQ(parse_message_type("NOTIFICATION"), message_type::notification);
  EXPECT_EQ(parse_message_type("webhook_callback_verification"),
            message_type::verification);
  EXPECT_EQ(parse_message_type("Webhook_Callback_Verification"),
            message_type::verification);
  EXPECT_EQ(parse_message_type("revocation"), message_type::revocation);
  EXPECT_EQ(parse_message_type("REVOCATION"), message_type::revocation);
}

TEST(ParseMessageType, AnythingElseIsUnknown) {
  EXPECT_EQ(parse_message_type(""), message_type::unknown);
  EXPECT_EQ(parse_message_type("verification"), message_type::unknown);
  EXPECT_EQ(parse_message_type("notification "), message_type::unknown);
  EXPECT_EQ(parse_message_type(" notification"), message_type::unknown);
  EXPECT_EQ(parse_message_type("notifications"), message_type::unknown);
  EXPECT_EQ(parse_message_type("revoke"), message_type::unknown);
  EXPECT_EQ(parse_message_type(std::string("notification\0", 13)), message_type::unknown);
}

// Found by fuzz_webhook: an empty view (null data) reached simdjson, which memcpy'd
// from the null pointer (undefined behaviour). It is refused before that now.
TEST_F(EventsubParser, AnEmptyBodyIsRefusedWithoutTouchingItsPointer) {
  for (auto type : {message_type::notification, message_type::verification,
                    message_type::revocation, message_type::unknown}) {
    auto result = parser_.parse(type, std::string_view{});
    ASSERT_TRUE(std::holds_alternative<std::string>(result));
    EXPECT_EQ(std::get<std::string>(result), "Request body is not valid JSON");
  }
}

// --- fixtures
// ----------------------------------------------------------------------------

TEST_F(EventsubParser, StreamOnlineFixture) {
  const auto body = fixture("stream_online.json");
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.id, "f1c2a387-161a-49f9-a165-0f21d7a4e1c4");
  EXPECT_EQ(msg.subscription.type, "stream.online");
  EXPECT_EQ(msg.subscription.version, "1");
  EXPECT_EQ(msg.subscription.status, "enabled");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.challenge, "");
  EXPECT_EQ(msg.event.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.event.broadcaster_user_login, "cool_user");
  EXPECT_EQ(msg.event.broadcaster_user_name, "Cool_User");
  EXPECT_EQ(msg.event.stream_id, "9001");
  EXPECT_EQ(msg.event.stream_type, "live");
  EXPECT_EQ(msg.event.started_at, "2020-10-11T10:11:12.123Z");
  EXPECT_EQ(msg.event.raw, minified_member(body, "event"));
  // The fixture is already minified: the raw event is that exact substring.
  EXPECT_NE(body.find("\"event\":" + msg.event.raw + "}"), std::string::npos);
  EXPECT_EQ(minified(msg.event.raw), msg.event.raw);  // valid JSON, already minified
}

TEST_F(EventsubParser, StreamOfflineFixture) {
  const auto body = fixture("stream_offline.json");
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.id, "f1c2a387-161a-49f9-a165-0f21d7a4e1c4");
  EXPECT_EQ(msg.subscription.type, "stream.offline");
  EXPECT_EQ(msg.subscription.status, "enabled");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.event.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.event.broadcaster_user_login, "cool_user");
  EXPECT_EQ(msg.event.broadcaster_user_name, "Cool_User");
  EXPECT_EQ(msg.event.stream_id, "");
  EXPECT_EQ(msg.event.stream_type, "");
  EXPECT_EQ(msg.event.started_at, "");
  EXPECT_EQ(msg.event.raw,
            R"({"broadcaster_user_id":"1337","broadcaster_user_login":"cool_user",)"
            R"("broadcaster_user_name":"Cool_User"})");
}

TEST_F(EventsubParser, VerificationFixture) {
  auto msg = ok(message_type::verification, fixture("verification.json"));
  EXPECT_EQ(msg.challenge, "pogchamp-kappa-360noscope-vohiyo");
  EXPECT_EQ(msg.subscription.type, "stream.online");
  EXPECT_EQ(msg.subscription.status, "webhook_callback_verification_pending");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.event.raw, "");
}

TEST_F(EventsubParser, RevocationFixture) {
  auto msg = ok(message_type::revocation, fixture("revocation.json"));
  EXPECT_EQ(msg.subscription.id, "f1c2a387-161a-49f9-a165-0f21d7a4e1c4");
  EXPECT_EQ(msg.subscription.type, "stream.online");
  EXPECT_EQ(msg.subscription.status, "notification_failures_exceeded");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "1337");
  EXPECT_EQ(msg.event.raw, "");
  EXPECT_EQ(msg.challenge, "");
}

TEST_F(EventsubParser, VectorABodyIsAnOtherTypeNotification) {
  const auto body = fixture("vector_a.body");
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.id, "ae2ff348-e102-16be-a3eb-6830c1bf38d2");
  EXPECT_EQ(msg.subscription.type, "channel.follow");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "44429626");
  // Only stream.online/offline events are picked apart; others keep the raw JSON.
  EXPECT_EQ(msg.event.broadcaster_user_id, "");
  EXPECT_EQ(msg.event.broadcaster_user_login, "");
  EXPECT_EQ(msg.event.raw, minified_member(body, "event"));
  EXPECT_NE(msg.event.raw.find("\"user_login\":\"testFromUser\""), std::string::npos);
}

TEST_F(EventsubParser, VectorBBody) {
  const auto body = fixture("vector_b.body");
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.id, "fixed-sub-id-1");
  EXPECT_EQ(msg.subscription.type, "stream.online");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "141981764");
  EXPECT_EQ(msg.event.broadcaster_user_id, "141981764");
  EXPECT_EQ(msg.event.broadcaster_user_login, "twitchdev");
  EXPECT_EQ(msg.event.broadcaster_user_name, "twitchdev");
  EXPECT_EQ(msg.event.stream_id, "55353625");
  EXPECT_EQ(msg.event.stream_type, "live");
  EXPECT_EQ(msg.event.started_at, "2024-01-01T00:00:00.123456789Z");
  EXPECT_EQ(msg.event.raw, minified_member(body, "event"));
}

TEST_F(EventsubParser, FixturesAsOtherMessageTypes) {
  // The notification bodies are also valid revocations (they carry a subscription).
  auto msg = ok(message_type::revocation, fixture("stream_online.json"));
  EXPECT_EQ(msg.event.raw, "");
  // An unknown message type only needs the subscription.
  auto unknown = ok(message_type::unknown, fixture("stream_offline.json"));
  EXPECT_EQ(unknown.subscription.type, "stream.offline");
}

TEST_F(EventsubParser, PrettyPrintedEventIsMinified) {
  const std::string body = R"({
    "subscription": {"id": "s", "type": "stream.offline", "version": "1",
                     "status": "enabled", "condition": {"broadcaster_user_id": "1"}},
    "event": {
      "broadcaster_user_id" : "1",
      "broadcaster_user_login" : "a_b",
      "broadcaster_user_name" : "A B \"q\" \u00e9"
    }
  })";
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.event.broadcaster_user_name, "A B \"q\" \xc3\xa9");
  EXPECT_EQ(msg.event.raw.find('\n'), std::string::npos) << msg.event.raw;
  EXPECT_EQ(msg.event.raw.find(": "), std::string::npos) << msg.event.raw;
  EXPECT_EQ(msg.event.raw, minified_member(body, "event"));
  EXPECT_EQ(minified(msg.event.raw), msg.event.raw);
}

TEST_F(EventsubParser, ParserIsReusable) {
  ok(message_type::notification, fixture("stream_online.json"));
  refused(message_type::notification, "{");
  auto msg = ok(message_type::notification, fixture("stream_offline.json"));
  EXPECT_EQ(msg.subscription.type, "stream.offline");
  EXPECT_EQ(msg.event.stream_id, "");
}

TEST_F(EventsubParser, UnknownSubscriptionTypeNotificationKeepsRawEvent) {
  const std::string body =
      R"({"subscription":{"id":"x","type":"channel.update","version":"2"},)"
      R"("event":{"title":"hello","n":[1,2,{"k":null}]}})";
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.type, "channel.update");
  EXPECT_EQ(msg.subscription.broadcaster_user_id, "");
  EXPECT_EQ(msg.event.raw, R"({"title":"hello","n":[1,2,{"k":null}]})");
}

TEST_F(EventsubParser, NullOptionalFieldsAreEmpty) {
  const std::string body =
      R"({"subscription":{"id":null,"type":"stream.online","status":null},)"
      R"("event":{"broadcaster_user_id":"1","broadcaster_user_login":"a",)"
      R"("broadcaster_user_name":null,"id":null,"started_at":null}})";
  auto msg = ok(message_type::notification, body);
  EXPECT_EQ(msg.subscription.id, "");
  EXPECT_EQ(msg.subscription.status, "");
  EXPECT_EQ(msg.event.broadcaster_user_name, "");
  EXPECT_EQ(msg.event.stream_id, "");
  EXPECT_EQ(msg.event.started_at, "");
}

// --- malformed
// ---------------------------------------------------------------------------

TEST_F(EventsubParser, InvalidJson) {
  auto why = refused(message_type::notification, "{not json}");
  EXPECT_NE(why.find("JSON"), std::string::npos) << why;
  refused(message_type::notification, "");
  refused(message_type::notification, "   ");
  refused(message_type::notification, "{\"subscription\":{\"type\":\"x\",}}");
}

TEST_F(EventsubParser, TruncatedBodies) {
  const auto body = fixture("stream_online.json");  // ends with "}\n"
  const size_t last_brace = body.rfind('}');
  ASSERT_NE(last_brace, std::string::npos);
  for (size_t len : {size_t{1}, size_t{20}, body.size() / 2, last_brace})
    refused(message_type::notification, body.substr(0, len));
}

TEST_F(EventsubParser, TrailingGarbage) {
  const auto body = fixture("stream_online.json");
  refused(message_type::notification, body + "x");
  refused(message_type::notification, body + "}");
  refused(message_type::notification, body + body);
  refused(message_type::notification, body + ",{}");
}

TEST_F(EventsubParser, TopLevelMustBeAnObject) {
  for (const char* body : {"[]", R"([{"subscription":{"type":"stream.online"}}])",
                           "\"subscription\"", "42", "true", "null"}) {
    auto why = refused(message_type::notification, body);
    EXPECT_NE(why.find("object"), std::string::npos) << body << ": " << why;
  }
}

TEST_F(EventsubParser, MissingSubscription) {
  auto why = refused(message_type::revocation, R"({"event":{}})");
  EXPECT_NE(why.find("subscription"), std::string::npos) << why;
  refused(message_type::verification, R"({"challenge":"c"})");
  refused(message_type::unknown, "{}");
}

TEST_F(EventsubParser, SubscriptionNotAnObject) {
  for (const char* body : {R"({"subscription":"stream.online","challenge":"c"})",
                           R"({"subscription":[],"challenge":"c"})",
                           R"({"subscription":null,"challenge":"c"})"}) {
    auto why = refused(message_type::verification, body);
    EXPECT_NE(why.find("subscription"), std::string::npos) << why;
  }
}

TEST_F(EventsubParser, MissingOrInvalidSubscriptionType) {
  for (const char* sub :
       {R"({"id":"x"})", R"({"type":""})", R"({"type":null})", R"({"type":5})"}) {
    auto body = std::string(R"({"subscription":)") + sub + R"(,"challenge":"c"})";
    auto why = refused(message_type::verification, body);
    EXPECT_NE(why.find("subscription.type"), std::string::npos) << body << ": " << why;
  }
}

TEST_F(EventsubParser, SubscriptionFieldsOfTheWrongType) {
  refused(message_type::revocation, R"({"subscription":{"type":"t","id":7}})");
  refused(message_type::revocation, R"({"subscription":{"type":"t","version":1}})");
  refused(message_type::revocation, R"({"subscription":{"type":"t","status":false}})");
  refused(message_type::revocation,
          R"({"subscription":{"type":"t","condition":{"broadcaster_user_id":1337}}})");
}

TEST_F(EventsubParser, NotificationWithoutEvent) {
  auto why = refused(message_type::notification,
                     R"({"subscription":{"type":"stream.online","id":"s"}})");
  EXPECT_NE(why.find("event"), std::string::npos) << why;
}

TEST_F(EventsubParser, EventNotAnObject) {
  for (const char* ev : {R"("x")", "[]", "null", "1"}) {
    auto body =
        std::string(R"({"subscription":{"type":"stream.offline"},"event":)") + ev + "}";
    auto why = refused(message_type::notification, body);
    EXPECT_NE(why.find("event"), std::string::npos) << body << ": " << why;
  }
}

TEST_F(EventsubParser, StreamOnlineEventMissingBroadcasterLogin) {
  const std::string body =
      R"({"subscription":{"type":"stream.online"},"event":{"id":"1",)"
      R"("broadcaster_user_id":"1337","broadcaster_user_name":"Cool_User"}})";
  auto why = refused(message_type::notification, body);
  EXPECT_NE(why.find("broadcaster_user_login"), std::string::npos) << why;
}

TEST_F(EventsubParser, StreamOfflineEventMissingBroadcasterId) {
  refused(message_type::notification,
          R"({"subscription":{"type":"stream.offline"},"event":{)"
          R"("broadcaster_user_login":"a","broadcaster_user_name":"A"}})");
  refused(
      message_type::notification,
      R"({"subscription":{"type":"stream.offline"},"event":{"broadcaster_user_id":"",)"
      R"("broadcaster_user_login":"a","broadcaster_user_name":"A"}})");
}

TEST_F(EventsubParser, BroadcasterUserIdAsANumber) {
  const std::string body =
      R"({"subscription":{"type":"stream.online"},"event":{"id":"1",)"
      R"("broadcaster_user_id":1337,"broadcaster_user_login":"cool_user",)"
      R"("broadcaster_user_name":"Cool_User"}})";
  auto why = refused(message_type::notification, body);
  EXPECT_NE(why.find("broadcaster_user_id"), std::string::npos) << why;
}

TEST_F(EventsubParser, StreamOnlineFieldsOfTheWrongType) {
  const std::string prefix =
      R"({"subscription":{"type":"stream.online"},"event":{"broadcaster_user_id":"1",)"
      R"("broadcaster_user_login":"a","broadcaster_user_name":"A",)";
  refused(message_type::notification, prefix + R"("id":9001}})");
  refused(message_type::notification, prefix + R"("type":{}}})");
  refused(message_type::notification, prefix + R"("started_at":[]}})");
  // stream.offline does not read those fields.
  const std::string offline =
      R"({"subscription":{"type":"stream.offline"},"event":{"broadcaster_user_id":"1",)"
      R"("broadcaster_user_login":"a","broadcaster_user_name":"A","id":9001}})";
  ok(message_type::notification, offline);
}

TEST_F(EventsubParser, VerificationWithoutChallenge) {
  const std::string sub = R"("subscription":{"type":"stream.online","id":"s"})";
  for (const std::string& body : {"{" + sub + "}", "{" + sub + R"(,"challenge":"")" + "}",
                                  "{" + sub + R"(,"challenge":123)" + "}",
                                  "{" + sub + R"(,"challenge":null)" + "}"}) {
    auto why = refused(message_type::verification, body);
    EXPECT_NE(why.find("challenge"), std::string::npos) << body << ": " << why;
  }
}

TEST_F(EventsubParser, InvalidUtf8IsReportedAsSuch) {
  std::string body = fixture("stream_offline.json");
  auto pos = body.find("Cool_User");
  ASSERT_NE(pos, std::string::npos);
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80"}) {
    std::string broken = body;
    broken.insert(pos, bad);
    auto why = refused(message_type::notification, broken);
    EXPECT_NE(why.find("UTF-8"), std::string::npos) << why;
  }
}

TEST_F(EventsubParser, InvalidUtf8OutsideStringsIsRefused) {
  auto body = fixture("verification.json") + "\xff";
  refused(message_type::verification, body);
}

}  // namespace
}  // namespace eventsubd::twitch
