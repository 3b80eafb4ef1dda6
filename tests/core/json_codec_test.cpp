#include "core/json_codec.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace eventsubd {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

/// Parses `text` (kept alive by the fixture) and fails the test when it is not a JSON
/// object.
class JsonCodec : public ::testing::Test {
 protected:
  object parse_object(const std::string& text) {
    element doc;
    auto err = parser_.parse(text).get(doc);
    EXPECT_EQ(err, simdjson::SUCCESS) << "invalid JSON: " << text;
    object obj;
    EXPECT_EQ(doc.get(obj), simdjson::SUCCESS) << "not an object: " << text;
    return obj;
  }

  static std::vector<std::string> keys_of(object obj) {
    std::vector<std::string> keys;
    for (auto field : obj) keys.emplace_back(field.key);
    return keys;
  }

  static std::string string_at(object obj, std::string_view key) {
    std::string_view v;
    EXPECT_EQ(obj[key].get(v), simdjson::SUCCESS) << key << " is not a string";
    return std::string(v);
  }

  static bool bool_at(object obj, std::string_view key) {
    bool v = false;
    EXPECT_EQ(obj[key].get(v), simdjson::SUCCESS) << key << " is not a bool";
    return v;
  }

  static bool null_at(object obj, std::string_view key) {
    element v;
    if (obj[key].get(v) != simdjson::SUCCESS) return false;
    return v.is_null();
  }

  static object object_at(object obj, std::string_view key) {
    object v;
    EXPECT_EQ(obj[key].get(v), simdjson::SUCCESS) << key << " is not an object";
    return v;
  }

  simdjson::dom::parser parser_;
};

streamer_record sample_streamer() {
  streamer_record s;
  s.user_id = "1337";
  s.username = "cool_user";
  s.display_name = "Cool_User";
  s.online_subscription_id = "sub-on";
  s.offline_subscription_id = "sub-off";
  s.is_active = true;
  return s;
}

stream_status sample_status() {
  stream_status s;
  s.user_id = "1337";
  s.username = "cool_user";
  s.display_name = "Cool_User";
  s.is_live = true;
  s.stream_data = R"({"id":"9001","type":"live","viewer_count":42,"tags":["a","b"]})";
  s.last_updated = "2024-01-15T11:45:23.123456+00:00";
  s.last_event_type = "stream.online";
  return s;
}

event_record sample_event() {
  event_record e;
  e.id = "ae2ff348-e102-16be-a3eb-6830c1bf38d2";
  e.event_type = "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.123456;
  e.data =
      R"({"id":"9001","broadcaster_user_id":"1337","started_at":"2020-10-11T10:11:12.123Z"})";
  return e;
}

// --- streamer_record
// ---------------------------------------------------------------------

TEST_F(JsonCodec, StreamerKeysValuesAndOrder) {
  auto text = to_json(sample_streamer());
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj), (std::vector<std::string>{"user_id", "username", "display_name",
                                                    "subscription_id", "is_active",
                                                    "offline_subscription_id"}));
  EXPECT_EQ(string_at(obj, "user_id"), "1337");
  EXPECT_EQ(string_at(obj, "username"), "cool_user");
  EXPECT_EQ(string_at(obj, "display_name"), "Cool_User");
  EXPECT_EQ(string_at(obj, "subscription_id"), "sub-on");
  EXPECT_TRUE(bool_at(obj, "is_active"));
  EXPECT_EQ(string_at(obj, "offline_subscription_id"), "sub-off");
}

TEST_F(JsonCodec, StreamerExactText) {
  EXPECT_EQ(to_json(sample_streamer()),
            R"({"user_id":"1337","username":"cool_user","display_name":"Cool_User",)"
            R"("subscription_id":"sub-on","is_active":true,)"
            R"("offline_subscription_id":"sub-off"})");
}

TEST_F(JsonCodec, StreamerEmptySubscriptionIdsAreNull) {
  auto s = sample_streamer();
  s.online_subscription_id.clear();
  s.offline_subscription_id.clear();
  s.is_active = false;
  auto text = to_json(s);
  auto obj = parse_object(text);
  EXPECT_TRUE(null_at(obj, "subscription_id")) << text;
  EXPECT_TRUE(null_at(obj, "offline_subscription_id")) << text;
  EXPECT_FALSE(bool_at(obj, "is_active"));
  EXPECT_EQ(keys_of(obj).size(), 6u);
}

TEST_F(JsonCodec, StreamerEmptyIdentityStaysAString) {
  // user_id/username/display_name are always strings (not documented as nullable).
  streamer_record s;
  auto text = to_json(s);
  auto obj = parse_object(text);
  EXPECT_EQ(string_at(obj, "user_id"), "");
  EXPECT_EQ(string_at(obj, "username"), "");
  EXPECT_EQ(string_at(obj, "display_name"), "");
}

// --- stream_status
// -----------------------------------------------------------------------

TEST_F(JsonCodec, StatusKeysValuesAndOrder) {
  auto text = to_json(sample_status());
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj),
            (std::vector<std::string>{"user_id", "username", "display_name", "is_live",
                                      "stream_data", "last_updated", "last_event_type"}));
  EXPECT_EQ(string_at(obj, "user_id"), "1337");
  EXPECT_EQ(string_at(obj, "username"), "cool_user");
  EXPECT_EQ(string_at(obj, "display_name"), "Cool_User");
  EXPECT_TRUE(bool_at(obj, "is_live"));
  EXPECT_EQ(string_at(obj, "last_updated"), "2024-01-15T11:45:23.123456+00:00");
  EXPECT_EQ(string_at(obj, "last_event_type"), "stream.online");

  auto data = object_at(obj, "stream_data");
  EXPECT_EQ(string_at(data, "id"), "9001");
  EXPECT_EQ(string_at(data, "type"), "live");
  int64_t viewers = 0;
  EXPECT_EQ(data["viewer_count"].get(viewers), simdjson::SUCCESS);
  EXPECT_EQ(viewers, 42);
  simdjson::dom::array tags;
  ASSERT_EQ(data["tags"].get(tags), simdjson::SUCCESS);
  EXPECT_EQ(tags.size(), 2u);
}

TEST_F(JsonCodec, StatusEmbedsStreamDataVerbatim) {
  auto s = sample_status();
  auto text = to_json(s);
  EXPECT_NE(text.find("\"stream_data\":" + s.stream_data + ","), std::string::npos)
      << text;
}

TEST_F(JsonCodec, StatusWithSourceAppendsItLast) {
  auto text = to_json(sample_status(), "storage");
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj),
            (std::vector<std::string>{"user_id", "username", "display_name", "is_live",
                                      "stream_data", "last_updated", "last_event_type",
                                      "source"}));
  EXPECT_EQ(string_at(obj, "source"), "storage");
}

TEST_F(JsonCodec, StatusWithoutSourceHasNoSourceKey) {
  auto text = to_json(sample_status(), "");
  EXPECT_EQ(text.find("source"), std::string::npos) << text;
  EXPECT_EQ(text, to_json(sample_status()));
}

TEST_F(JsonCodec, StatusEmptyFieldsAreNull) {
  stream_status s;
  s.user_id = "1";
  s.username = "a";
  s.display_name = "A";
  auto text = to_json(s);
  auto obj = parse_object(text);
  EXPECT_FALSE(bool_at(obj, "is_live"));
  EXPECT_TRUE(null_at(obj, "stream_data")) << text;
  EXPECT_TRUE(null_at(obj, "last_updated")) << text;
  EXPECT_TRUE(null_at(obj, "last_event_type")) << text;
  EXPECT_EQ(text, R"({"user_id":"1","username":"a","display_name":"A","is_live":false,)"
                  R"("stream_data":null,"last_updated":null,"last_event_type":null})");
}

// --- event_record
// ------------------------------------------------------------------------

TEST_F(JsonCodec, EventKeysValuesAndOrder) {
  auto text = to_json(sample_event());
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj), (std::vector<std::string>{
                              "id", "event_type", "broadcaster_id", "broadcaster_login",
                              "broadcaster_name", "timestamp", "data"}));
  EXPECT_EQ(string_at(obj, "id"), "ae2ff348-e102-16be-a3eb-6830c1bf38d2");
  EXPECT_EQ(string_at(obj, "event_type"), "stream.online");
  EXPECT_EQ(string_at(obj, "broadcaster_id"), "1337");
  EXPECT_EQ(string_at(obj, "broadcaster_login"), "cool_user");
  EXPECT_EQ(string_at(obj, "broadcaster_name"), "Cool_User");
  EXPECT_EQ(string_at(obj, "timestamp"), "2024-01-15T11:45:23.123456+00:00");
  auto data = object_at(obj, "data");
  EXPECT_EQ(string_at(data, "id"), "9001");
  EXPECT_EQ(string_at(data, "broadcaster_user_id"), "1337");
  EXPECT_EQ(string_at(data, "started_at"), "2020-10-11T10:11:12.123Z");
  // The score is internal (the sorted-set score), not part of the JSON.
  EXPECT_EQ(text.find("score"), std::string::npos) << text;
}

TEST_F(JsonCodec, EventEmbedsDataVerbatimAndNullWhenEmpty) {
  auto e = sample_event();
  auto text = to_json(e);
  EXPECT_NE(text.find("\"data\":" + e.data + "}"), std::string::npos) << text;

  e.data.clear();
  text = to_json(e);
  auto obj = parse_object(text);
  EXPECT_TRUE(null_at(obj, "data")) << text;
}

// --- escaping
// ----------------------------------------------------------------------------

TEST_F(JsonCodec, EscapesQuotesBackslashesAndControlCharacters) {
  auto s = sample_streamer();
  s.display_name =
      std::string("a\"b\\c\nd\te\rf\x01g\x1fh/i") + std::string(1, '\0') + "j";
  auto text = to_json(s);
  for (unsigned char c : text) EXPECT_GE(c, 0x20) << "raw control byte in " << text;
  auto obj = parse_object(text);
  EXPECT_EQ(string_at(obj, "display_name"), s.display_name);
}

TEST_F(JsonCodec, Utf8DisplayNamesRoundTrip) {
  auto s = sample_status();
  s.display_name = "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 caf\xc3\xa9 \xf0\x9f\x8e\xae";
  auto text = to_json(s, "storage");
  EXPECT_TRUE(simdjson::validate_utf8(text.data(), text.size()));
  auto obj = parse_object(text);
  EXPECT_EQ(string_at(obj, "display_name"), s.display_name);
}

TEST_F(JsonCodec, EveryStringFieldIsEscaped) {
  const std::string nasty = "\"},{\"injected\":true,\"x\":\"\\";
  event_record e;
  e.id = nasty;
  e.event_type = nasty;
  e.broadcaster_id = nasty;
  e.broadcaster_login = nasty;
  e.broadcaster_name = nasty;
  e.timestamp = nasty;
  auto text = to_json(e);
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj).size(), 7u) << text;
  for (const char* k : {"id", "event_type", "broadcaster_id", "broadcaster_login",
                        "broadcaster_name", "timestamp"})
    EXPECT_EQ(string_at(obj, k), nasty) << k;

  stream_status st;
  st.user_id = st.username = st.display_name = st.last_updated = st.last_event_type =
      nasty;
  auto st_obj = parse_object(to_json(st, nasty));
  EXPECT_EQ(keys_of(st_obj).size(), 8u);
  EXPECT_EQ(string_at(st_obj, "source"), nasty);
  EXPECT_EQ(string_at(st_obj, "last_event_type"), nasty);

  streamer_record sr;
  sr.user_id = sr.username = sr.display_name = sr.online_subscription_id =
      sr.offline_subscription_id = nasty;
  auto sr_obj = parse_object(to_json(sr));
  EXPECT_EQ(keys_of(sr_obj).size(), 6u);
  EXPECT_EQ(string_at(sr_obj, "offline_subscription_id"), nasty);
}

// --- detail_json / single_field_json
// -----------------------------------------------------

TEST_F(JsonCodec, DetailJson) {
  EXPECT_EQ(detail_json("Streamer not found"), R"({"detail":"Streamer not found"})");
  const std::string tricky = "bad \"name\" \\ with\nnewline";
  auto text = detail_json(tricky);
  auto obj = parse_object(text);
  EXPECT_EQ(keys_of(obj), (std::vector<std::string>{"detail"}));
  EXPECT_EQ(string_at(obj, "detail"), tricky);
}

TEST_F(JsonCodec, DetailJsonEmpty) {
  EXPECT_EQ(detail_json(""), R"({"detail":""})");
}

TEST_F(JsonCodec, SingleFieldJson) {
  EXPECT_EQ(single_field_json("message", "ok"), R"({"message":"ok"})");
  auto text = single_field_json("k\"ey", "v\"al");
  auto obj = parse_object(text);
  EXPECT_EQ(string_at(obj, "k\"ey"), "v\"al");
}

}  // namespace
}  // namespace eventsubd
