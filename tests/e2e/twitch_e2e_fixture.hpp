#pragma once
// The fixture of the end-to-end tests against the fake Twitch: the fake with its standard
// users, and the real server started against it.

#include "tests/common/fake_twitch.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::testing {

class twitch_e2e : public ::testing::Test {
 protected:
  fake_twitch fake;
  uint16_t port_ = free_port();
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }

  std::string callback() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub";
  }

  void start(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"PORT", std::to_string(port_)},
                                           {"TWITCH_CLIENT_ID", fake.client_id()},
                                           {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                                           {"TWITCH_API_URL", fake.api_url()},
                                           {"TWITCH_AUTH_URL", fake.auth_url()},
                                           {"WEBHOOK_SECRET", e2e_secret},
                                           {"WEBHOOK_URL", callback()}};
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<server_process>(env);
  }

  uint16_t port() const { return server->port(); }

  std::vector<fake_subscription> subs_of(const std::string& user_id) {
    std::vector<fake_subscription> out;
    for (auto& s : fake.subscriptions())
      if (s.broadcaster_user_id == user_id) out.push_back(s);
    return out;
  }

  bool both_enabled(const std::string& user_id) {
    auto subs = subs_of(user_id);
    return subs.size() == 2 && subs[0].status == "enabled" &&
           subs[1].status == "enabled" && subs[0].type != subs[1].type;
  }

  json_doc streamers() { return json_doc(http_once(port(), "GET", "/streamers").body); }

  /// ninja (1002) live on Twitch with stream s-1002, started at `started_at`.
  static fake_stream ninja_playing_fortnite(const std::string& started_at) {
    return {"s-1002",   "1002",        "ninja", "Ninja",    "33214",
            "Fortnite", "dropping in", 12000,   started_at, {}};
  }
};

}  // namespace eventsubd::testing
