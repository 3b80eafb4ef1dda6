#pragma once

#include "core/time.hpp"
#include "tests/common/http_client.hpp"
#include "tests/common/server_process.hpp"

#include <simdjson.h>

#include <chrono>
#include <string>
#include <thread>

namespace eventsubd::testing {

inline constexpr const char* e2e_secret = "e2e-webhook-secret-0123456789";

/// A stream.online notification body for one broadcaster.
inline std::string online_body(const std::string& user_id, const std::string& login,
                               const std::string& stream_id,
                               const std::string& started_at) {
  return R"({"subscription":{"id":"sub-on-)" + user_id +
         R"(","type":"stream.online","version":"1","status":"enabled","cost":0,"condition":{"broadcaster_user_id":")" +
         user_id +
         R"("},"transport":{"method":"webhook","callback":"https://example.com/webhooks/eventsub"},"created_at":"2024-01-01T00:00:00Z"},"event":{"id":")" +
         stream_id + R"(","broadcaster_user_id":")" + user_id +
         R"(","broadcaster_user_login":")" + login + R"(","broadcaster_user_name":")" +
         login + R"(","type":"live","started_at":")" + started_at + R"("}})";
}

/// A stream.offline notification body for one broadcaster.
inline std::string offline_body(const std::string& user_id, const std::string& login) {
  return R"({"subscription":{"id":"sub-off-)" + user_id +
         R"(","type":"stream.offline","version":"1","status":"enabled","cost":0,"condition":{"broadcaster_user_id":")" +
         user_id +
         R"("},"transport":{"method":"webhook","callback":"https://example.com/webhooks/eventsub"},"created_at":"2024-01-01T00:00:00Z"},"event":{"broadcaster_user_id":")" +
         user_id + R"(","broadcaster_user_login":")" + login +
         R"(","broadcaster_user_name":")" + login + R"("}})";
}

/// POSTs a correctly signed delivery (fresh timestamp unless given).
inline http_reply post_signed(uint16_t port, const std::string& body,
                              const std::string& type = "notification",
                              const std::string& id = unique_id(),
                              const std::string& timestamp = twitch_timestamp()) {
  return http_once(port, "POST", "/webhooks/eventsub", body,
                   eventsub_headers(e2e_secret, body, type, id, timestamp));
}

/// A parsed JSON document that owns its parser (tests read a few fields).
struct json_doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit json_doc(const std::string& text) {
    auto err = parser.parse(text).get(root);
    if (err) throw std::runtime_error("invalid JSON: " + text);
  }
};

/// Polls `pred` every 20 ms until it holds or `limit` passes; false on timeout.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// Number of events GET /events?limit=1000 returns.
inline size_t event_count(uint16_t port) {
  auto r = http_once(port, "GET", "/events?limit=1000");
  json_doc doc(r.body);
  return doc.root["events"].get_array().value().size();
}

}  // namespace eventsubd::testing
