#pragma once
// What the fake Twitch's own tests share: a fake with four users and a client for it,
// a token, Helix calls with it, and the bodies they read.

#include "tests/common/fake_twitch.hpp"
#include "tests/common/http_client.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>

namespace eventsubd::testing {

inline rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

inline std::string str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return "<missing>";
  return v[key].GetString();
}

class FakeTwitch : public ::testing::Test {
 protected:
  void SetUp() override {
    tw_.add_user({"1001", "alice", "Alice"});
    tw_.add_user({"1002", "bob", "Bob"});
    tw_.add_user({"1003", "carol", "Carol"});
    tw_.add_user({"1004", "dave", "Dave"});
    client_ = std::make_unique<http_client>(tw_.port());
  }

  std::string token() {
    auto r = client_->request("POST", "/oauth2/token",
                              "client_id=fake-client-id&client_secret=fake-client-secret"
                              "&grant_type=client_credentials",
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return str(parse_json(r.body), "access_token");
  }

  http_reply helix(const std::string& method, const std::string& target,
                   const std::string& body = {}) {
    if (token_.empty()) token_ = token();
    header_map h{{"Authorization", "Bearer " + token_}, {"Client-Id", tw_.client_id()}};
    if (!body.empty()) h["Content-Type"] = "application/json";
    return client_->request(method, "/helix" + target, body, h);
  }

  static std::string create_body(const std::string& type, const std::string& user_id,
                                 const std::string& callback,
                                 const std::string& secret = "s3cRe7s3cRe7") {
    return R"({"type":")" + type +
           R"(","version":"1","condition":{"broadcaster_user_id":")" + user_id +
           R"("},"transport":{"method":"webhook","callback":")" + callback +
           R"(","secret":")" + secret + R"("}})";
  }

  fake_twitch tw_;
  std::unique_ptr<http_client> client_;
  std::string token_;
};

}  // namespace eventsubd::testing
