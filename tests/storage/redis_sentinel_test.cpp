// The Redis backend with Redis Sentinel and WAIT, against real redis-servers and
// redis-sentinels on loopback (tests/common/redis_sentinel_cluster): the master is found
// through the sentinels, a failover is followed, and WAIT counts replicas.
#include "storage/redis_sentinel.hpp"

#include "storage/redis_backend.hpp"
#include "tests/common/eventually.hpp"
#include "tests/common/redis_client.hpp"
#include "tests/common/redis_sentinel_cluster.hpp"
#include "tests/common/webhook_writes.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace eventsubd::storage {
namespace {

using testing::a_webhooks_writes;
using namespace std::chrono_literals;
using testing::eventually;
using testing::redis_client;
using testing::redis_sentinel_cluster;

constexpr auto patient = 60s;  // a failover takes seconds; the machine may be busy

host_port loopback(uint16_t port) {
  return {"127.0.0.1", port};
}

redis_options via_sentinels(const redis_sentinel_cluster& cluster) {
  redis_options o;
  for (auto port : cluster.sentinel_ports())
    o.sentinels.sentinels.push_back(loopback(port));
  o.sentinels.master_name = redis_sentinel_cluster::master_name;
  return o;
}

redis_options direct(uint16_t port) {
  redis_options o;
  o.endpoint.host = "127.0.0.1";
  o.endpoint.port = port;
  return o;
}

bool stored_on(uint16_t port, const std::string& login) {
  redis_client c(port);
  return !c.run({"HGET", redis_backend::statuses_key, login}).text.empty();
}

/// A port nothing listens on (bound, then closed).
uint16_t closed_port() {
  return testing::redis_server::pick_port();
}

/// A "sentinel" that names whatever address it is given as the master: one that is out
/// of date, or wrong. Answers every command on every connection the same way.
class fake_sentinel {
 public:
  explicit fake_sentinel(host_port named) : named_(std::move(named)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("fake sentinel: cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_sentinel() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  /// From now on, names `node`.
  void name(host_port node) {
    std::lock_guard<std::mutex> lock(mutex_);
    named_ = std::move(node);
  }

 private:
  std::string answer() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto port = std::to_string(named_.port);
    return "*2\r\n$" + std::to_string(named_.host.size()) + "\r\n" + named_.host +
           "\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n";
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      char buf[512];
      // One command per connection (ask_sentinel sends one, no AUTH here).
      if (read(client, buf, sizeof buf) > 0) {
        auto text = answer();
        (void)!write(client, text.data(), text.size());
      }
      close(client);
    }
  }
  std::mutex mutex_;
  host_port named_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(RedisSentinel, EachSentinelNamesTheMasterOrSaysWhyNot) {
  const std::string password = "sentinel-pass-4d7e";
  redis_sentinel_cluster cluster(password);
  sentinel_settings settings;
  settings.master_name = redis_sentinel_cluster::master_name;
  settings.password = password;
  auto master = ask_sentinel(loopback(cluster.sentinel_ports()[0]), settings, 500ms);
  ASSERT_TRUE(master) << master.error().detail;
  EXPECT_EQ(*master, loopback(cluster.first_master().port()));

  // A wrong password, or none: refused, and the reason never holds a password.
  settings.password = "a-wrong-one-91c3";
  auto wrong = ask_sentinel(loopback(cluster.sentinel_ports()[0]), settings, 500ms);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().detail.find("AUTH failed"), std::string::npos)
      << wrong.error().detail;
  EXPECT_EQ(wrong.error().detail.find("a-wrong-one-91c3"), std::string::npos);
  EXPECT_EQ(wrong.error().detail.find(password), std::string::npos);
  settings.password.clear();
  auto none = ask_sentinel(loopback(cluster.sentinel_ports()[0]), settings, 500ms);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().detail.find("NOAUTH"), std::string::npos) << none.error().detail;
  settings.password = password;

  settings.master_name = "nobody-monitors-this";
  auto unknown = ask_sentinel(loopback(cluster.sentinel_ports()[1]), settings, 500ms);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("no master named 'nobody-monitors-this'"),
            std::string::npos)
      << unknown.error().detail;

  auto gone = loopback(closed_port());
  auto unreachable = ask_sentinel(gone, settings, 500ms);
  ASSERT_FALSE(unreachable);
  EXPECT_NE(unreachable.error().detail.find("sentinel " + gone.text()), std::string::npos)
      << unreachable.error().detail;
}

TEST(RedisSentinel, WritesGoToTheMasterTheSentinelsName) {
  redis_sentinel_cluster cluster;
  auto options = via_sentinels(cluster);
  // An unreachable sentinel first: the next one is asked.
  options.sentinels.sentinels.insert(options.sentinels.sentinels.begin(),
                                     loopback(closed_port()));
  redis_backend db(options);
  EXPECT_TRUE(db.ping().ok());
  ASSERT_TRUE(db.apply(a_webhooks_writes("found")).ok());
  EXPECT_TRUE(stored_on(cluster.first_master().port(), "found"));
}

TEST(RedisSentinel, ANodeThatIsNotTheMasterIsNotUsed) {
  redis_sentinel_cluster cluster;
  auto replica = cluster.first_replica().port();
  fake_sentinel stale(loopback(replica));  // names the replica as the master
  redis_options options;
  options.sentinels.sentinels = {loopback(stale.port())};
  options.sentinels.master_name = redis_sentinel_cluster::master_name;
  {
    redis_backend db(options);
    auto f = db.apply(a_webhooks_writes("misled"));
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().detail.find("is a slave, not the master"), std::string::npos)
        << f.error().detail;
    EXPECT_FALSE(db.ping().ok());
  }
  // With real sentinels after it, the next one's answer is taken.
  for (auto port : cluster.sentinel_ports())
    options.sentinels.sentinels.push_back(loopback(port));
  redis_backend db(options);
  ASSERT_TRUE(db.apply(a_webhooks_writes("right")).ok());
  EXPECT_TRUE(stored_on(cluster.first_master().port(), "right"));
}

TEST(RedisSentinel, AKilledMasterIsFollowedToTheNewOne) {
  redis_sentinel_cluster cluster;
  auto options = via_sentinels(cluster);
  options.min_replicas = 1;  // so "before" is on the replica when it is promoted
  redis_backend db(options);
  // Retried as the storage actor would when a busy machine makes WAIT time out.
  ASSERT_TRUE(
      eventually([&] { return db.apply(a_webhooks_writes("before")).ok(); }, patient));
  cluster.first_master().kill_now();
  const auto promoted = cluster.first_replica().port();
  ASSERT_TRUE(cluster.wait_for_master(promoted, patient));
  // The promoted node has no replica left: the write reaches it, yet WAIT 1 fails it.
  result<void> last;
  ASSERT_TRUE(eventually(
      [&] {
        last = db.apply(a_webhooks_writes("after"));
        return stored_on(promoted, "after");
      },
      patient));
  ASSERT_FALSE(last.ok());
  EXPECT_NE(last.error().detail.find("0 of 1 replicas"), std::string::npos)
      << last.error().detail;
  EXPECT_TRUE(stored_on(promoted, "before"));
  // The old master comes back as a replica of the new one, and the batch is confirmed
  // at last.
  cluster.rejoin_as_replica(cluster.first_master(), promoted);
  ASSERT_TRUE(
      eventually([&] { return db.apply(a_webhooks_writes("after")).ok(); }, patient));
  EXPECT_TRUE(stored_on(cluster.first_master().port(), "after"));
  EXPECT_TRUE(stored_on(cluster.first_master().port(), "before"));
}

TEST(RedisSentinel, AMasterDemotedByAFailoverIsLeft) {
  redis_sentinel_cluster cluster;
  redis_backend db(via_sentinels(cluster));
  const auto old_master = cluster.first_master().port();
  const auto promoted = cluster.first_replica().port();
  ASSERT_TRUE(db.apply(a_webhooks_writes("before")).ok());
  ASSERT_TRUE(eventually([&] { return stored_on(promoted, "before"); }, patient));
  auto r = cluster.ask_sentinel(
      0, {"SENTINEL", "FAILOVER", redis_sentinel_cluster::master_name});
  ASSERT_FALSE(r.error) << r.text;
  ASSERT_TRUE(cluster.wait_for_master(promoted, patient));
  // Until it is reconfigured, the old master still takes writes (without WAIT nothing
  // tells they are lost: see the README). Once it is a replica, the connection to it is
  // left at its first refusal, and writes reach the new master.
  cluster.demote(old_master, promoted);
  ASSERT_TRUE(eventually(
      [&] { return redis_client(old_master).info("replication", "role") == "slave"; },
      patient));
  auto refused = db.apply(a_webhooks_writes("after"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().detail.find("READONLY") != std::string::npos ||
              refused.error().detail.find("connection lost") != std::string::npos)
      << refused.error().detail;
  ASSERT_TRUE(db.apply(a_webhooks_writes("after")).ok());
  EXPECT_TRUE(stored_on(promoted, "after"));
  EXPECT_TRUE(stored_on(promoted, "before"));
  EXPECT_TRUE(db.ping().ok());
}

TEST(RedisSentinel, AMasterTheSentinelsNoLongerNameIsLeftAtTheNextPing) {
  // As after a partition: the old master still says master and takes writes, but the
  // sentinels promoted another node. Two standalone masters stand for the two sides.
  testing::redis_server cut_off;
  testing::redis_server promoted;
  fake_sentinel sentinel(loopback(cut_off.port()));
  redis_options options;
  options.sentinels.sentinels = {loopback(sentinel.port())};
  options.sentinels.master_name = "m";
  redis_backend db(options);
  ASSERT_TRUE(db.apply(a_webhooks_writes("before")).ok());
  EXPECT_TRUE(stored_on(cut_off.port(), "before"));
  sentinel.name(loopback(promoted.port()));
  EXPECT_TRUE(db.ping().ok());
  ASSERT_TRUE(db.apply(a_webhooks_writes("after")).ok());
  EXPECT_TRUE(stored_on(promoted.port(), "after"));
  EXPECT_FALSE(stored_on(cut_off.port(), "after"));
}

TEST(RedisSentinel, AnAclThatDeniesRoleTrustsTheSentinels) {
  testing::redis_server master;
  redis_client admin(master.port());
  auto user = admin.run(
      {"ACL", "SETUSER", "esd", "on", ">esd-pass-0b1d", "~*", "&*", "+@all", "-role"});
  ASSERT_FALSE(user.error) << user.text;
  fake_sentinel sentinel(loopback(master.port()));
  redis_options options;
  options.endpoint.user = "esd";
  options.endpoint.password = "esd-pass-0b1d";
  options.sentinels.sentinels = {loopback(sentinel.port())};
  options.sentinels.master_name = "m";
  redis_backend db(options);
  EXPECT_TRUE(db.ping().ok());
  ASSERT_TRUE(db.apply(a_webhooks_writes("trusted")).ok());
  EXPECT_TRUE(stored_on(master.port(), "trusted"));
}

TEST(RedisWait, ABatchCountsOnlyOnceEnoughReplicasHaveIt) {
  testing::redis_server primary(0, false, {"--repl-diskless-sync-delay", "0"});
  auto master = primary.port();
  testing::redis_server secondary(0, false,
                                  {"--replicaof", "127.0.0.1", std::to_string(master)});
  auto replica = secondary.port();
  ASSERT_TRUE(eventually([&] { return testing::online_replicas(master) == 1; }, patient));
  auto one = direct(master);
  one.min_replicas = 1;
  one.wait_timeout = 20s;  // a busy machine can hold a replica's answer for a second
  redis_backend db(one);
  for (int n = 0; n < 20; ++n) {
    auto login = "confirmed" + std::to_string(n);
    auto f = db.apply(a_webhooks_writes(login));
    ASSERT_TRUE(f.ok()) << f.error().detail;
    EXPECT_TRUE(stored_on(replica, login)) << login;  // at once: WAIT said it has it
  }
  auto two = direct(master);
  two.min_replicas = 2;
  two.wait_timeout = 50ms;
  redis_backend greedy(two);
  auto f = greedy.apply(a_webhooks_writes("unconfirmed"));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().detail.find("1 of 2 replicas confirmed the writes within 50 ms"),
            std::string::npos)
      << f.error().detail;
  EXPECT_TRUE(stored_on(master, "unconfirmed"));  // written, just not confirmed enough
  // The health check asks the same: Redis is not up while it could not acknowledge.
  EXPECT_TRUE(db.ping().ok());
  auto unhealthy = greedy.ping();
  ASSERT_FALSE(unhealthy.ok());
  EXPECT_NE(unhealthy.error().detail.find("1 of 2 replicas"), std::string::npos)
      << unhealthy.error().detail;
  // No key beyond eventsubd's own: the barrier before each WAIT is a PUBLISH.
  redis_client c(master);
  for (const auto& key : c.run({"KEYS", "*"}).items)
    EXPECT_EQ(key.rfind("twitch:", 0), 0u) << key;
}

}  // namespace
}  // namespace eventsubd::storage
