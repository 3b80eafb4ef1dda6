// End to end with Redis Sentinel and REDIS_MIN_REPLICAS: the real binary finds the
// master through three real redis-sentinels (password protected), writes to it, and
// acknowledges a webhook only once WAIT says the replica has its change. Under a steady
// load of signed webhooks the master is lost (SIGKILL, or a failover the sentinels are
// told to do); every webhook answered 2xx must then be on the promoted node.
#include "tests/common/redis_client.hpp"
#include "tests/common/redis_sentinel_cluster.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto patient = 60s;  // a failover takes seconds; the machine may be busy
const std::string sentinel_password = "sentinel-pass-e2e-5a0f";

std::map<std::string, std::string> sentinel_env(const redis_sentinel_cluster& cluster) {
  return {{"STORAGE_TYPE", "redis"},
          {"WEBHOOK_SECRET", e2e_secret},
          {"REDIS_SENTINELS", cluster.sentinels_setting()},
          {"REDIS_MASTER_NAME", redis_sentinel_cluster::master_name},
          {"REDIS_SENTINEL_PASSWORD", sentinel_password},
          {"REDIS_MIN_REPLICAS", "1"},
          {"REDIS_WAIT_TIMEOUT_MS", "300"}};
}

bool healthy(uint16_t port) {
  try {
    return http_once(port, "GET", "/health").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

/// One webhook's fate.
struct delivery {
  std::string id;
  std::string login;
  int status = 0;  // 0: no answer (timed out, connection lost)
  clock_type::time_point sent, answered;
};

/// Signed stream.online webhooks from a few clients, one at a time each (as Twitch
/// sends: a delivery waits for its answer), each for a broadcaster of its own.
class webhook_load {
 public:
  webhook_load(uint16_t port, int clients) {
    for (int c = 0; c < clients; ++c)
      threads_.emplace_back([this, port, c] { run(port, c); });
  }
  ~webhook_load() { stop(); }

  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  /// What was answered so far.
  std::vector<delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_;
  }
  size_t acknowledged_after(clock_type::time_point t) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t n = 0;
    for (const auto& d : done_)
      if (d.status / 100 == 2 && d.answered > t) ++n;
    return n;
  }

 private:
  void run(uint16_t port, int client) {
    std::unique_ptr<http_client> http;
    for (int n = 0; !stop_; ++n) {
      delivery d;
      d.login = "ha" + std::to_string(client) + "x" + std::to_string(n);
      d.id = "ha-msg-" + std::to_string(client) + "-" + std::to_string(n);
      auto user_id = std::to_string(700000 + client * 100000 + n);
      auto body = online_body(user_id, d.login, "s-" + d.login, twitch_timestamp(-5s));
      d.sent = clock_type::now();
      try {
        // Held while the replicas cannot confirm: the wait may last the failover.
        if (!http) http = std::make_unique<http_client>(port, 60s);
        d.status = http->request("POST", "/webhooks/eventsub", body,
                                 eventsub_headers(e2e_secret, body, "notification", d.id,
                                                  twitch_timestamp()))
                       .status;
      } catch (const std::exception&) {
        http.reset();  // no answer: nothing was promised
      }
      d.answered = clock_type::now();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.push_back(d);
      }
      if (d.status == 0 || d.status >= 500) std::this_thread::sleep_for(50ms);
    }
  }

  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<delivery> done_;
  std::vector<std::thread> threads_;
};

/// Every acknowledged webhook's change on the node at `port`: its status, and its
/// message id (stored with the change; events are trimmed to the newest 1000).
void expect_all_acknowledged_on(uint16_t port, const std::vector<delivery>& deliveries) {
  redis_client node(port);
  size_t checked = 0;
  for (const auto& d : deliveries) {
    if (d.status / 100 != 2) continue;
    ++checked;
    auto status = node.run({"HGET", "twitch:stream_status", d.login});
    ASSERT_FALSE(status.text.empty()) << d.id << " was acknowledged but is not stored";
    EXPECT_TRUE(bool(json_doc(status.text).root["is_live"])) << d.login;
    EXPECT_EQ(node.run({"EXISTS", "twitch:seen_message:" + d.id}).integer, 1) << d.id;
  }
  EXPECT_GT(checked, 0u);
}

/// How many WAITs the node on `port` has answered.
long waits_on(uint16_t port) {
  try {
    auto stats = redis_client(port).info("commandstats", "cmdstat_wait");
    auto calls = stats.find("calls=");
    return calls == std::string::npos ? 0 : std::stol(stats.substr(calls + 6));
  } catch (const std::exception&) {
    return 0;
  }
}

size_t count_status(const std::vector<delivery>& deliveries, int hundreds) {
  size_t n = 0;
  for (const auto& d : deliveries)
    if (d.status / 100 == hundreds) ++n;
  return n;
}

TEST(redis_sentinel_e2e, a_killed_master_loses_no_acknowledged_webhook) {
  redis_sentinel_cluster cluster(sentinel_password);
  const auto promoted = cluster.first_replica().port();
  server_process server{sentinel_env(cluster)};
  ASSERT_TRUE(eventually([&] { return healthy(server.port()); }, patient))
      << server.log();

  webhook_load load(server.port(), 3);
  ASSERT_TRUE(eventually([&] { return load.acknowledged_after({}) >= 30; }, patient))
      << server.log();
  cluster.first_master().kill_now();
  ASSERT_TRUE(cluster.wait_for_master(promoted, patient))
      << cluster.sentinel_logs() << server.log();
  // Promoted, the node has no replica: what is written to it now cannot be confirmed,
  // so nothing is acknowledged (the answers are held) and Redis counts as down.
  const auto failed_over = clock_type::now();
  ASSERT_TRUE(eventually([&] { return waits_on(promoted) >= 1; }, patient))
      << server.log();
  EXPECT_TRUE(eventually([&] { return !healthy(server.port()); }, patient));

  // The old master comes back as a replica of the new one: the held writes are
  // confirmed, answered, and the load goes on.
  const auto rejoined = clock_type::now();
  EXPECT_EQ(load.acknowledged_after(failed_over), 0u);
  cluster.rejoin_as_replica(cluster.first_master(), promoted);
  ASSERT_TRUE(
      eventually([&] { return load.acknowledged_after(rejoined) >= 30; }, patient))
      << server.log();
  EXPECT_TRUE(eventually([&] { return healthy(server.port()); }, patient));
  load.stop();

  auto deliveries = load.deliveries();
  expect_all_acknowledged_on(promoted, deliveries);
  EXPECT_EQ(count_status(deliveries, 4), 0u);
  size_t held = 0;  // sent before the rejoin, acknowledged after it
  for (const auto& d : deliveries) {
    bool acknowledged = d.status / 100 == 2;
    EXPECT_FALSE(acknowledged && d.answered > failed_over && d.answered < rejoined)
        << d.id << " was acknowledged while no replica could confirm it";
    if (acknowledged && d.sent < rejoined && d.answered > rejoined) ++held;
  }
  EXPECT_GT(held, 0u);
  auto log = server.log();
  EXPECT_NE(log.find("connected to Redis master '" +
                     std::string(redis_sentinel_cluster::master_name) +
                     "' at 127.0.0.1:" + std::to_string(promoted)),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(sentinel_password), std::string::npos);
  EXPECT_EQ(log.find("are lost"), std::string::npos) << log;
}

TEST(redis_sentinel_e2e, a_failover_of_a_live_master_is_followed_and_loses_nothing) {
  // The old master stays up: demoted, it refuses writes (READONLY); between the
  // promotion and its demotion it still takes writes no replica confirms.
  redis_sentinel_cluster cluster(sentinel_password);
  const auto promoted = cluster.first_replica().port();
  server_process server{sentinel_env(cluster)};
  ASSERT_TRUE(eventually([&] { return healthy(server.port()); }, patient))
      << server.log();

  webhook_load load(server.port(), 3);
  ASSERT_TRUE(eventually([&] { return load.acknowledged_after({}) >= 30; }, patient))
      << server.log();
  auto r = cluster.ask_sentinel(
      0, {"SENTINEL", "FAILOVER", redis_sentinel_cluster::master_name});
  ASSERT_FALSE(r.error) << r.text;
  ASSERT_TRUE(cluster.wait_for_master(promoted, patient))
      << cluster.sentinel_logs() << server.log();
  // The sentinels make the old master the new one's replica at their next look at it
  // (up to 10 s); done at once here. Then writes are confirmed again.
  const auto failed_over = clock_type::now();
  cluster.demote(cluster.first_master().port(), promoted);
  ASSERT_TRUE(
      eventually([&] { return load.acknowledged_after(failed_over) >= 30; }, patient))
      << cluster.sentinel_logs() << server.log();
  load.stop();

  auto deliveries = load.deliveries();
  expect_all_acknowledged_on(promoted, deliveries);
  EXPECT_EQ(count_status(deliveries, 4), 0u);
  EXPECT_EQ(server.log().find(sentinel_password), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::testing
