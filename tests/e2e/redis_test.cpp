// End to end with STORAGE_TYPE=redis: a real redis-server per test, the real binary.
#include "tests/common/redis_server.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

/// Runs one command on a fresh hiredis connection and hands its reply to `read`.
template <class Read>
auto with_redis_reply(uint16_t port, std::initializer_list<std::string> args, Read read) {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (!c || c->err) throw std::runtime_error("redis unreachable");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  auto out = read(r);
  if (r) freeReplyObject(r);
  redisFree(c);
  return out;
}

/// The reply's string (or the first member of an array reply, or "").
std::string redis_command(uint16_t port, std::initializer_list<std::string> args) {
  return with_redis_reply(port, args, [](const redisReply* r) {
    std::string out;
    if (r && r->str) out.assign(r->str, r->len);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->str)
      out.assign(r->element[0]->str, r->element[0]->len);
    return out;
  });
}

/// The members of an array reply (e.g. ZRANGE), or an integer reply as text.
std::vector<std::string> redis_values(uint16_t port,
                                      std::initializer_list<std::string> args) {
  return with_redis_reply(port, args, [](const redisReply* r) {
    std::vector<std::string> out;
    if (r && r->type == REDIS_REPLY_INTEGER) out.push_back(std::to_string(r->integer));
    if (r && r->type == REDIS_REPLY_ARRAY)
      for (size_t i = 0; i < r->elements; ++i)
        out.emplace_back(r->element[i]->str, r->element[i]->len);
    return out;
  });
}

/// The message ids of the events stored in `twitch:events`.
std::set<std::string> stored_event_ids(uint16_t port) {
  std::set<std::string> ids;
  for (const auto& member : redis_values(port, {"ZRANGE", "twitch:events", "0", "-1"}))
    ids.insert(std::string(std::string_view(json_doc(member).root["id"])));
  return ids;
}

std::map<std::string, std::string> redis_env(const redis_server& redis) {
  return {{"STORAGE_TYPE", "redis"},
          {"REDIS_URL", redis.url()},
          {"WEBHOOK_SECRET", e2e_secret}};
}

TEST(redis_e2e, state_survives_a_restart) {
  redis_server redis;
  auto online = online_body("7001", "keeper", "s-7001", twitch_timestamp(-30s));
  {
    server_process server{redis_env(redis)};
    ASSERT_EQ(post_signed(server.port(), online).status, 200);
    ASSERT_EQ(post_signed(server.port(),
                          online_body("7002", "other", "s-7002", twitch_timestamp(-30s)))
                  .status,
              200);
    ASSERT_EQ(post_signed(server.port(), offline_body("7002", "other")).status, 200);
    ASSERT_TRUE(server.terminate().has_value());
  }
  server_process server{redis_env(redis)};
  auto status =
      json_doc(http_once(server.port(), "GET", "/streamers/keeper/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));
  EXPECT_EQ(std::string_view(status.root["source"]), "storage");
  EXPECT_EQ(event_count(server.port()), 3u);
  auto live = json_doc(http_once(server.port(), "GET", "/streams/live").body);
  EXPECT_EQ(int64_t(live.root["count"]), 1);
  // The restored state machine still knows the stream: a resend under a new id is a
  // duplicate.
  EXPECT_EQ(post_signed(server.port(), online).body, R"({"status":"duplicate"})");
  EXPECT_EQ(event_count(server.port()), 3u);
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
}

TEST(redis_e2e, reads_the_old_services_data) {
  redis_server redis;
  // As the Python service wrote it: json.dumps spacing, naive timestamps.
  redis_command(
      redis.port(),
      {"HSET", "twitch:streamers", "shroud",
       R"({"user_id": "37402112", "username": "shroud", "display_name": "shroud", "subscription_id": "abc-123", "is_active": true})"});
  redis_command(
      redis.port(),
      {"HSET", "twitch:stream_status", "shroud",
       R"({"user_id": "37402112", "username": "shroud", "display_name": "shroud", "is_live": true, "stream_data": {"id": "42", "game_name": "VALORANT", "viewer_count": 25000, "started_at": "2024-01-15T10:00:00Z"}, "last_updated": "2024-01-15T11:45:23.123456", "last_event_type": "stream.online"})"});
  redis_command(
      redis.port(),
      {"ZADD", "twitch:events", "1705319123.123456",
       R"({"id": "e-1", "event_type": "stream.online", "broadcaster_id": "37402112", "broadcaster_login": "shroud", "broadcaster_name": "shroud", "timestamp": "2024-01-15T11:45:23.123456", "data": {"id": "42", "broadcaster_user_id": "37402112"}})"});
  server_process server{redis_env(redis)};
  auto streamers = json_doc(http_once(server.port(), "GET", "/streamers").body);
  auto first = streamers.root.at(0);
  EXPECT_EQ(std::string_view(first["username"]), "shroud");
  EXPECT_EQ(std::string_view(first["subscription_id"]), "abc-123");
  EXPECT_TRUE(bool(first["is_active"]));
  auto status =
      json_doc(http_once(server.port(), "GET", "/streamers/shroud/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));
  EXPECT_EQ(std::string_view(status.root["stream_data"]["game_name"]), "VALORANT");
  EXPECT_EQ(std::string_view(status.root["last_updated"]), "2024-01-15T11:45:23.123456");
  auto events = json_doc(http_once(server.port(), "GET", "/events").body);
  auto ev = events.root["events"].at(0);
  EXPECT_EQ(std::string_view(ev["id"]), "e-1");
  EXPECT_EQ(std::string_view(ev["data"]["id"]), "42");
  // Its state machine restored from that data: the same stream again is a duplicate.
  auto again = online_body("37402112", "shroud", "42", "2024-01-15T10:00:00Z");
  EXPECT_EQ(post_signed(server.port(), again).body, R"({"status":"duplicate"})");
  // No Twitch credentials here: a monitored streamer cannot be removed (its
  // subscriptions could not be deleted), so 503 naming the variables, and it stays.
  auto removed = http_once(server.port(), "DELETE", "/streamers/shroud");
  EXPECT_EQ(removed.status, 503) << removed.body;
  EXPECT_NE(removed.body.find("TWITCH_CLIENT_ID"), std::string::npos) << removed.body;
  EXPECT_EQ(http_once(server.port(), "GET", "/streamers/shroud/status").status, 200);
}

TEST(redis_e2e, what_we_write_has_the_old_layout) {
  redis_server redis;
  server_process server{redis_env(redis)};
  ASSERT_EQ(post_signed(server.port(),
                        online_body("7003", "writer", "s-7003", twitch_timestamp(-5s)))
                .status,
            200);
  auto raw = redis_command(redis.port(), {"HGET", "twitch:stream_status", "writer"});
  json_doc status(raw);
  for (const char* key : {"user_id", "username", "display_name", "is_live", "stream_data",
                          "last_updated", "last_event_type"})
    EXPECT_FALSE(status.root[key].error()) << key;
  EXPECT_TRUE(status.root["source"].error() == simdjson::NO_SUCH_FIELD);
  EXPECT_TRUE(parse_rfc3339(std::string_view(status.root["last_updated"])).has_value());
  auto top = redis_command(redis.port(), {"ZRANGE", "twitch:events", "-1", "-1"});
  json_doc event(top);
  for (const char* key : {"id", "event_type", "broadcaster_id", "broadcaster_login",
                          "broadcaster_name", "timestamp", "data"})
    EXPECT_FALSE(event.root[key].error()) << key;
}

TEST(redis_e2e, redis_down_means_unhealthy_writes_queued_then_replayed) {
  redis_server redis(0, true);
  server_process server{redis_env(redis)};
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
  redis.kill_now();
  // Noticed without any write: the storage probes Redis every second.
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 503; }));
  EXPECT_EQ(http_once(server.port(), "GET", "/health").body,
            R"({"status":"unhealthy","storage":"disconnected"})");
  auto r = post_signed(server.port(),
                       online_body("7004", "downer", "s-7004", twitch_timestamp(-5s)),
                       "notification", "down-msg-1");
  EXPECT_EQ(r.status, 200) << r.body;  // queued in order, acknowledged
  auto status =
      json_doc(http_once(server.port(), "GET", "/streamers/downer/status").body);
  EXPECT_TRUE(bool(status.root["is_live"]));  // reads go on, and show it
  redis.restart();
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }));
  ASSERT_TRUE(eventually(
      [&] { return stored_event_ids(redis.port()).count("down-msg-1") == 1; }));
  EXPECT_NE(redis_command(redis.port(), {"HGET", "twitch:stream_status", "downer"}), "");
  EXPECT_TRUE(server.wait_for_log("is back after"));
}

TEST(redis_e2e,
     redis_killed_and_restarted_under_webhook_load_loses_nothing_acknowledged) {
  redis_server redis(0, true);
  server_process server{redis_env(redis)};
  std::atomic<bool> stop{false};
  std::vector<std::pair<std::string, std::string>> acknowledged;  // message id, login
  size_t refused = 0;
  std::thread load([&] {
    for (int n = 0; !stop; ++n) {
      auto login = "load" + std::to_string(n);
      auto id = "load-msg-" + std::to_string(n);
      auto body = online_body(std::to_string(900000 + n), login, "s-" + login,
                              twitch_timestamp(-5s));
      auto r = post_signed(server.port(), body, "notification", id);
      if (r.status == 200)
        acknowledged.emplace_back(id, login);
      else
        ++refused;  // Twitch would retry; nothing was promised
      std::this_thread::sleep_for(2ms);
    }
  });
  std::this_thread::sleep_for(400ms);
  redis.kill_now();
  EXPECT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 503; }));
  std::this_thread::sleep_for(500ms);
  redis.restart();
  EXPECT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }));
  std::this_thread::sleep_for(300ms);
  stop = true;
  load.join();
  ASSERT_GT(acknowledged.size(), 50u);
  EXPECT_EQ(refused, 0u);  // the queue (10000) never filled
  // Everything acknowledged reaches Redis once the queue is replayed.
  ASSERT_TRUE(eventually([&] {
    auto stored = stored_event_ids(redis.port());
    return std::all_of(acknowledged.begin(), acknowledged.end(),
                       [&](const auto& a) { return stored.count(a.first) == 1; });
  }));
  for (const auto& [id, login] : acknowledged) {
    auto raw = redis_command(redis.port(), {"HGET", "twitch:stream_status", login});
    ASSERT_FALSE(raw.empty()) << login;
    EXPECT_TRUE(bool(json_doc(raw).root["is_live"])) << login;
  }
  // One outage, one report (not one per request).
  auto log = server.log();
  size_t reports = 0;
  for (auto at = log.find("backend is unavailable"); at != std::string::npos;
       at = log.find("backend is unavailable", at + 1))
    ++reports;
  EXPECT_EQ(reports, 1u);
}

TEST(redis_e2e, sigterm_under_webhook_load_loses_nothing_acknowledged) {
  // A 200 means "stored": whatever was acknowledged before the server stopped must be
  // in Redis afterwards; requests cut by the shutdown get a clean close or a refused
  // connection, and Twitch would retry those.
  redis_server redis(0, true);
  server_process server{redis_env(redis)};
  auto port = server.port();
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      for (int n = 0; !stop; ++n) {
        auto login = "term" + std::to_string(c) + "x" + std::to_string(n);
        auto id = "term-msg-" + std::to_string(c) + "-" + std::to_string(n);
        auto body = online_body(std::to_string(700000 + c * 10000 + n), login,
                                "s-" + login, twitch_timestamp(-5s));
        try {
          auto r = post_signed(port, body, "notification", id);
          if (r.status == 200) {
            std::lock_guard<std::mutex> guard{mutex};
            acknowledged.push_back(id);
          } else if (r.status != 503) {
            ++wrong;
          }
        } catch (const std::exception&) {
          // refused or closed while stopping: nothing was promised
        }
      }
    });
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> guard{mutex};
    return acknowledged.size() >= 150;
  }));
  auto code = server.terminate(10s);
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(wrong.load(), 0);
  ASSERT_LT(acknowledged.size(), 1000u);  // all within the events list's length
  auto stored = stored_event_ids(redis.port());
  for (const auto& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;
}

TEST(redis_e2e, a_full_write_queue_answers_503_until_redis_is_back) {
  redis_server redis(0, true);
  auto env = redis_env(redis);
  env["STORAGE_QUEUE_LIMIT"] = "4";
  server_process server{env};
  redis.kill_now();
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 503; }));
  std::vector<int> codes;
  for (int n = 0; n < 6; ++n)
    codes.push_back(
        post_signed(server.port(),
                    online_body(std::to_string(800 + n), "full" + std::to_string(n), "s",
                                twitch_timestamp(-5s)),
                    "notification", "full-msg-" + std::to_string(n))
            .status);
  EXPECT_EQ(codes.front(), 200);
  EXPECT_EQ(codes.back(), 503);
  // Accepted ones come first; once full, everything is refused.
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()))
      << ::testing::PrintToString(codes);
  redis.restart();
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }));
  // Twitch's retries of the refused ones are applied once the replay has made room.
  for (int n = 0; n < 6; ++n) {
    if (codes[n] == 200) continue;
    EXPECT_TRUE(eventually([&] {
      return post_signed(server.port(),
                         online_body(std::to_string(800 + n), "full" + std::to_string(n),
                                     "s", twitch_timestamp(-5s)),
                         "notification", "full-msg-" + std::to_string(n))
                 .status == 200;
    }));
  }
  ASSERT_TRUE(eventually([&] { return stored_event_ids(redis.port()).size() == 6; }))
      << server.log();
}

TEST(redis_e2e, message_ids_outlive_a_restart) {
  redis_server redis;
  {
    server_process server{redis_env(redis)};
    ASSERT_EQ(post_signed(server.port(),
                          online_body("7101", "first", "s-7101", twitch_timestamp(-5s)),
                          "notification", "kept-msg")
                  .status,
              200);
    ASSERT_TRUE(eventually([&] {
      return !redis_values(redis.port(), {"TTL", "twitch:seen_message:kept-msg"})
                  .empty() &&
             redis_values(redis.port(), {"TTL", "twitch:seen_message:kept-msg"})[0] !=
                 "-2";
    }));
    auto ttl =
        std::stol(redis_values(redis.port(), {"TTL", "twitch:seen_message:kept-msg"})[0]);
    EXPECT_GE(ttl, 600);
    ASSERT_TRUE(server.terminate().has_value());
  }
  server_process server{redis_env(redis)};
  // A redelivery under the same id, even of something the state would not catch.
  auto r = post_signed(server.port(),
                       online_body("7102", "second", "s-7102", twitch_timestamp(-5s)),
                       "notification", "kept-msg");
  EXPECT_EQ(r.body, R"({"status":"duplicate"})");
  EXPECT_EQ(event_count(server.port()), 1u);  // not applied
}

TEST(redis_e2e, starts_with_redis_unreachable_and_loads_once_it_appears) {
  auto port = free_port();
  server_process server{
      {{"STORAGE_TYPE", "redis"},
       {"REDIS_URL", "redis://127.0.0.1:" + std::to_string(port) + "/0"},
       {"WEBHOOK_SECRET", e2e_secret}}};
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 503);
  EXPECT_EQ(http_once(server.port(), "GET", "/streamers").status,
            503);  // not an empty list
  redis_server redis(port);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (http_once(server.port(), "GET", "/health").status != 200 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
  EXPECT_EQ(http_once(server.port(), "GET", "/streamers").body, "[]");
}

TEST(redis_e2e, url_with_database_and_a_bad_url) {
  redis_server redis;
  server_process server{{{"STORAGE_TYPE", "redis"},
                         {"REDIS_URL", redis.url() + "/3"},
                         {"WEBHOOK_SECRET", e2e_secret}}};
  ASSERT_EQ(post_signed(server.port(),
                        online_body("7005", "dbthree", "s", twitch_timestamp(-5s)))
                .status,
            200);
  EXPECT_EQ(redis_command(redis.port(), {"HGET", "twitch:stream_status", "dbthree"}),
            "");  // not in db 0
  auto bad = server_process::start_only(
      {{"STORAGE_TYPE", "redis"}, {"REDIS_URL", "http://nope"}});
  ASSERT_EQ(bad.wait_exit(10s), 2);
  EXPECT_NE(bad.log().find("REDIS_URL"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::testing
