#pragma once
// What the read model's tests share: records to put into it, and a fixture that parses
// the bodies it serves.

#include "storage/read_model.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::storage::read_model_tests {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

inline streamer_record streamer(const std::string& login,
                                const std::string& user_id = "") {
  streamer_record s;
  s.user_id = user_id.empty() ? "id-" + login : user_id;
  s.username = login;
  s.display_name = "Display_" + login;
  s.online_subscription_id = "on-" + login;
  s.offline_subscription_id = "off-" + login;
  s.is_active = true;
  return s;
}

inline stream_status status(const std::string& login, bool live,
                            const std::string& user_id = "") {
  stream_status s;
  s.user_id = user_id.empty() ? "id-" + login : user_id;
  s.username = login;
  s.display_name = "Display_" + login;
  s.is_live = live;
  s.stream_data = live ? R"({"id":"9001","type":"live"})" : "";
  s.last_updated = "2024-01-15T11:45:23.123456+00:00";
  s.last_event_type = live ? "stream.online" : "stream.offline";
  return s;
}

inline event_record event(int n) {
  event_record e;
  e.id = "msg-" + std::to_string(n);
  e.event_type = "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.0 + n;
  e.data = R"({"n":)" + std::to_string(n) + "}";
  return e;
}

class ReadModel : public ::testing::Test {
 protected:
  /// Parses a body; the returned element lives until the next call.
  element parse(const body_ptr& body) {
    EXPECT_NE(body, nullptr);
    if (!body) return {};
    element doc;
    EXPECT_EQ(parser_.parse(*body).get(doc), simdjson::SUCCESS) << *body;
    return doc;
  }

  /// The usernames in `GET /streams/live`, in order, and its count.
  std::vector<std::string> live_logins(int64_t* count = nullptr) {
    auto body = model_.live_body();
    auto doc = parse(body);
    array streams;
    EXPECT_EQ(doc["live_streams"].get(streams), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element s : streams) {
      std::string_view login;
      EXPECT_EQ(s["username"].get(login), simdjson::SUCCESS);
      bool live = false;
      EXPECT_EQ(s["is_live"].get(live), simdjson::SUCCESS);
      EXPECT_TRUE(live);
      element source;
      EXPECT_NE(s["source"].get(source), simdjson::SUCCESS) << "source in live_body";
      out.emplace_back(login);
    }
    int64_t n = -1;
    EXPECT_EQ(doc["count"].get(n), simdjson::SUCCESS);
    EXPECT_EQ(n, static_cast<int64_t>(out.size())) << *body;
    if (count) *count = n;
    return out;
  }

  /// The event ids in `GET /events?limit=N`, in order.
  std::vector<std::string> event_ids(size_t limit) {
    auto body = model_.events_body(limit);
    auto doc = parse(body);
    array events;
    EXPECT_EQ(doc["events"].get(events), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element e : events) {
      std::string_view id;
      EXPECT_EQ(e["id"].get(id), simdjson::SUCCESS);
      out.emplace_back(id);
    }
    return out;
  }

  /// The usernames in `GET /streamers`, in order.
  std::vector<std::string> streamer_logins() {
    auto body = model_.streamers_body();
    auto doc = parse(body);
    array items;
    EXPECT_EQ(doc.get(items), simdjson::SUCCESS) << *body;
    std::vector<std::string> out;
    for (element s : items) {
      std::string_view login;
      EXPECT_EQ(s["username"].get(login), simdjson::SUCCESS);
      out.emplace_back(login);
    }
    return out;
  }

  read_model model_;
  simdjson::dom::parser parser_;
};

using strings = std::vector<std::string>;

}  // namespace eventsubd::storage::read_model_tests
