#pragma once
// The backend suite's fixture (every test runs against every backend, see
// backend_suite_test.cpp), the backends it makes, and the records it stores.

#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "storage/redis_backend.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/common/take.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::storage::backend_tests {

struct backend_factory {
  std::string name;
  std::function<std::unique_ptr<backend>()> make;
};

inline std::unique_ptr<backend> make_memory_backend() {
  return std::make_unique<memory_backend>();
}

/// A real redis-server (started once for this binary), emptied for every test.
inline std::unique_ptr<backend> make_redis_backend() {
  auto& server = testing::redis_server::shared();
  server.flush_all();
  redis_endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = server.port();
  return std::make_unique<redis_backend>(endpoint);
}

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

inline stream_status status(const std::string& login, bool live) {
  stream_status s;
  s.user_id = "id-" + login;
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
  e.event_type = n % 2 ? "stream.offline" : "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.0 + n;
  e.data = R"({"n":)" + std::to_string(n) + "}";
  return e;
}

inline void expect_same(const streamer_record& a, const streamer_record& b) {
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.online_subscription_id, b.online_subscription_id);
  EXPECT_EQ(a.offline_subscription_id, b.offline_subscription_id);
  EXPECT_EQ(a.is_active, b.is_active);
}

inline void expect_same(const stream_status& a, const stream_status& b) {
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.is_live, b.is_live);
  EXPECT_EQ(a.stream_data, b.stream_data);
  EXPECT_EQ(a.last_updated, b.last_updated);
  EXPECT_EQ(a.last_event_type, b.last_event_type);
}

inline void expect_same(const event_record& a, const event_record& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.event_type, b.event_type);
  EXPECT_EQ(a.broadcaster_id, b.broadcaster_id);
  EXPECT_EQ(a.broadcaster_login, b.broadcaster_login);
  EXPECT_EQ(a.broadcaster_name, b.broadcaster_name);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_DOUBLE_EQ(a.score, b.score);
  EXPECT_EQ(a.data, b.data);
}

class BackendSuite : public ::testing::TestWithParam<backend_factory> {
 protected:
  void SetUp() override {
    db_ = GetParam().make();
    ASSERT_NE(db_, nullptr);
  }

  std::vector<streamer_record> streamers() {
    std::vector<streamer_record> out;
    EXPECT_TRUE(take(out, db_->load_streamers()));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    return out;
  }

  std::vector<stream_status> statuses() {
    std::vector<stream_status> out;
    EXPECT_TRUE(take(out, db_->load_statuses()));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    return out;
  }

  std::vector<event_record> events(size_t limit) {
    std::vector<event_record> out;
    EXPECT_TRUE(take(out, db_->load_events(limit)));
    return out;
  }

  std::unique_ptr<backend> db_;
};

}  // namespace eventsubd::storage::backend_tests
