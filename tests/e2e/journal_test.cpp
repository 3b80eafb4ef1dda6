// End to end: the journal (DATA_DIR) keeps webhooks acknowledged while Redis is down
// across a kill -9 or a SIGTERM of eventsubd, and the next start replays them, in order
// and once, before it serves. The real binary, a real redis-server.
#include "tests/common/redis_client.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace eventsubd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto patient = 30s;  // generous: the machine may be busy

/// A temporary directory for DATA_DIR, removed at the end.
struct temp_dir {
  std::string path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "eventsubd-data-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~temp_dir() { fs::remove_all(path); }
  std::string journal() const { return path + "/storage.journal"; }
};

std::map<std::string, std::string> env_for(const redis_server& redis,
                                           const std::string& data_dir) {
  return {{"STORAGE_TYPE", "redis"},
          {"REDIS_URL", redis.url()},
          {"WEBHOOK_SECRET", e2e_secret},
          {"DATA_DIR", data_dir}};
}

int health(uint16_t port) {
  return http_once(port, "GET", "/health").status;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// One delivery of the sequence: broadcaster `b` (0..), step `k` (0..): online with a
/// new stream at even steps, offline at odd ones. Message times grow with `n`, its
/// place in the whole sequence, so each is a real transition.
struct delivery {
  std::string id;
  std::string login;
  std::string user_id;
  std::string body;
  std::string timestamp;
};

delivery make_delivery(const std::string& prefix, int b, int k, int n, sys_time base) {
  delivery d;
  d.login = prefix + std::to_string(b);
  d.user_id = std::to_string(820000 + b);
  d.id = prefix + "-msg-" + std::to_string(n);
  d.timestamp = format_rfc3339(base + std::chrono::milliseconds(10 * n));
  d.body = k % 2 == 0 ? online_body(d.user_id, d.login,
                                    "s-" + d.login + "-" + std::to_string(k / 2 + 1),
                                    d.timestamp)
                      : offline_body(d.user_id, d.login);
  return d;
}

/// `rounds` deliveries to each of `broadcasters`, interleaved: round by round.
std::vector<delivery> sequence(const std::string& prefix, int broadcasters, int rounds) {
  std::vector<delivery> out;
  auto base = now() - 60s;
  for (int k = 0; k < rounds; ++k)
    for (int b = 0; b < broadcasters; ++b)
      out.push_back(make_delivery(prefix, b, k, static_cast<int>(out.size()), base));
  return out;
}

/// POSTs each delivery in turn; the ids answered {"status":"success"}.
std::vector<std::string> deliver(uint16_t port, const std::vector<delivery>& all) {
  std::vector<std::string> acknowledged;
  for (const auto& d : all) {
    auto r = post_signed(port, d.body, "notification", d.id, d.timestamp);
    if (r.status == 200 && r.body == R"({"status":"success"})")
      acknowledged.push_back(d.id);
    else
      ADD_FAILURE() << d.id << ": " << r.status << " " << r.body;
  }
  return acknowledged;
}

/// The message ids in `twitch:events`, oldest first, with repeats if any.
std::vector<std::string> stored_event_ids(redis_client& redis) {
  std::vector<std::pair<double, std::string>> scored;
  auto members = redis.run({"ZRANGE", "twitch:events", "0", "-1", "WITHSCORES"}).items;
  for (size_t i = 0; i + 1 < members.size(); i += 2)
    scored.emplace_back(std::stod(members[i + 1]),
                        std::string(std::string_view(json_doc(members[i]).root["id"])));
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> ids;
  for (auto& [score, id] : scored) ids.push_back(id);
  return ids;
}

/// Every broadcaster's stored status is the one its last delivery made: live with its
/// last stream after an odd number of steps (online last), offline otherwise.
void expect_final_statuses(redis_client& redis, uint16_t port, const std::string& prefix,
                           int broadcasters, int rounds) {
  const bool live = rounds % 2 == 1;
  const auto last_stream = std::to_string((rounds + 1) / 2);
  for (int b = 0; b < broadcasters; ++b) {
    auto login = prefix + std::to_string(b);
    SCOPED_TRACE(login);
    auto raw = redis.run({"HGET", "twitch:stream_status", login}).text;
    ASSERT_FALSE(raw.empty());
    json_doc stored(raw);
    EXPECT_EQ(bool(stored.root["is_live"]), live);
    if (live) {
      EXPECT_EQ(std::string_view(stored.root["stream_data"]["id"]),
                "s-" + login + "-" + last_stream);
    }
    json_doc served(http_once(port, "GET", "/streamers/" + login + "/status").body);
    EXPECT_EQ(bool(served.root["is_live"]), live);
  }
}

TEST(journal_e2e,
     webhooks_acknowledged_while_redis_is_down_survive_kill_9_once_in_order) {
  constexpr int broadcasters = 100;
  constexpr int rounds = 5;  // 500 deliveries
  temp_dir data;
  redis_server redis(0, true);
  auto all = sequence("kj", broadcasters, rounds);
  std::string journal_after_kill;
  {
    server_process server{env_for(redis, data.path)};
    ASSERT_EQ(health(server.port()), 200);
    redis.kill_now();
    ASSERT_TRUE(eventually([&] { return health(server.port()) == 503; }, patient));
    auto acknowledged = deliver(server.port(), all);
    ASSERT_EQ(acknowledged.size(), all.size());
    ASSERT_EQ(kill(server.pid(), SIGKILL), 0);
    EXPECT_EQ(server.wait_exit(10s), -SIGKILL);
    journal_after_kill = read_file(data.journal());
  }
  redis.restart();
  redis_client client(redis.port());
  std::vector<std::string> expected;
  for (const auto& d : all) expected.push_back(d.id);
  {
    server_process server{env_for(redis, data.path)};
    ASSERT_TRUE(eventually([&] { return health(server.port()) == 200; }, patient))
        << server.log();
    // Replayed before the load: every event once, in the order it was acknowledged.
    EXPECT_EQ(stored_event_ids(client), expected);
    expect_final_statuses(client, server.port(), "kj", broadcasters, rounds);
    EXPECT_EQ(event_count(server.port()), all.size());
    EXPECT_TRUE(server.wait_for_log("write ops left in the journal")) << server.log();
    // Emptied once Redis has it all.
    ASSERT_TRUE(eventually(
        [&] {
          return read_file(data.journal()).size() < journal_after_kill.size() / 100;
        },
        patient));
    ASSERT_EQ(server.terminate(), 0);
  }

  // A crash after Redis took the replay and before the journal was emptied, with a torn
  // record at its end (the crash came mid-append): the same replay again adds nothing.
  {
    std::ofstream out(data.journal(), std::ios::binary | std::ios::trunc);
    out << journal_after_kill << std::string("\x40\x00\x00\x00\x12\x34", 6);
  }
  server_process server{env_for(redis, data.path)};
  ASSERT_TRUE(eventually([&] { return health(server.port()) == 200; }, patient));
  EXPECT_TRUE(server.wait_for_log("ignoring the last 6 bytes after 500 intact records"))
      << server.log();
  EXPECT_EQ(stored_event_ids(client), expected);
  expect_final_statuses(client, server.port(), "kj", broadcasters, rounds);
}

TEST(journal_e2e,
     sigterm_with_redis_down_keeps_the_acknowledged_writes_for_the_next_start) {
  temp_dir data;
  redis_server redis(0, true);
  auto all = sequence("tj", 10, 3);  // 30 deliveries, live at the end
  {
    server_process server{env_for(redis, data.path)};
    redis.kill_now();
    ASSERT_TRUE(eventually([&] { return health(server.port()) == 503; }, patient));
    ASSERT_EQ(deliver(server.port(), all).size(), all.size());
    ASSERT_EQ(server.terminate(), 0);
    auto log = server.log();
    EXPECT_NE(log.find("30 acknowledged writes wait in the journal"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("are lost"), std::string::npos) << log;
  }
  redis.restart();
  redis_client client(redis.port());
  server_process server{env_for(redis, data.path)};
  ASSERT_TRUE(eventually([&] { return health(server.port()) == 200; }, patient));
  std::vector<std::string> expected;
  for (const auto& d : all) expected.push_back(d.id);
  EXPECT_EQ(stored_event_ids(client), expected);
  expect_final_statuses(client, server.port(), "tj", 10, 3);
}

TEST(journal_e2e, an_unusable_data_dir_stops_the_start_with_a_clear_error) {
  temp_dir data;
  redis_server redis;
  std::ofstream(data.path + "/a-file") << "x";
  // Below a regular file: no one can create it, not even root.
  auto bad = data.path + "/a-file/journal";
  auto server = server_process::start_only(env_for(redis, bad));
  EXPECT_EQ(server.wait_exit(30s), 2);
  EXPECT_NE(server.log().find("DATA_DIR '" + bad + "' cannot be created"),
            std::string::npos)
      << server.log();

  // One server per directory: a second one on the same DATA_DIR stops at start.
  server_process first{env_for(redis, data.path)};
  auto second = server_process::start_only(env_for(redis, data.path));
  EXPECT_EQ(second.wait_exit(30s), 2);
  EXPECT_NE(second.log().find("is in use: another eventsubd holds the lock"),
            std::string::npos)
      << second.log();
  EXPECT_EQ(health(first.port()), 200);
}

TEST(journal_e2e, memory_storage_needs_no_data_dir) {
  temp_dir data;
  auto unused = data.path + "/never-created";
  server_process server{{{"DATA_DIR", unused}}};
  EXPECT_EQ(health(server.port()), 200);
  EXPECT_FALSE(fs::exists(unused));
}

}  // namespace
}  // namespace eventsubd::testing
