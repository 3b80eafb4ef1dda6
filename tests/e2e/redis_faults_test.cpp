// End to end with a real redis-server that refuses eventsubd: a wrong ACL password, a
// database out of range, a failed RDB save (MISCONF), an ACL without a command (NOPERM).
// Nothing may be written where it does not belong, and nothing acknowledged may be lost.
#include "tests/common/redis_client.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto patient = 30s;  // generous: the machine may be busy

std::map<std::string, std::string> redis_env(const std::string& url) {
  return {{"STORAGE_TYPE", "redis"}, {"REDIS_URL", url}, {"WEBHOOK_SECRET", e2e_secret}};
}

std::string url_of(const redis_server& redis, const std::string& credentials, int db) {
  return "redis://" + credentials + "127.0.0.1:" + std::to_string(redis.port()) + "/" +
         std::to_string(db);
}

void add_user(redis_client& admin, const std::string& name, const std::string& password,
              std::vector<std::string> rules = {"+@all"}) {
  std::vector<std::string> args{"ACL", "SETUSER", name, "on", ">" + password, "~*", "&*"};
  args.insert(args.end(), rules.begin(), rules.end());
  auto r = admin.run(args);
  ASSERT_FALSE(r.error) << r.text;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

long long total_keys(redis_client& admin) {
  long long n = 0;
  for (auto k : admin.keys_per_db()) n += k;
  return n;
}

long long connections_received(redis_client& admin) {
  return std::stoll(admin.info("stats", "total_connections_received"));
}

/// The message ids of the events stored in `twitch:events` (in the selected db).
std::set<std::string> stored_event_ids(redis_client& client) {
  std::set<std::string> ids;
  for (const auto& member : client.run({"ZRANGE", "twitch:events", "0", "-1"}).items)
    ids.insert(std::string(std::string_view(json_doc(member).root["id"])));
  return ids;
}

int post_online(uint16_t port, int n, const std::string& prefix) {
  auto login = prefix + std::to_string(n);
  return post_signed(port,
                     online_body(std::to_string(610000 + n), login, "s-" + login,
                                 twitch_timestamp(-5s)),
                     "notification", prefix + "-msg-" + std::to_string(n))
      .status;
}

/// The storage can be neither loaded nor written: until it can, /health is 503, writes
/// are refused, no key appears in any database, and the reason is logged once.
void expect_refused_start(redis_client& admin, server_process& server,
                          const std::string& reason, const std::string& secret) {
  // Each retry opens a new connection: the one whose AUTH or SELECT failed is closed
  // (it used to be kept, and the next retry loaded as the default user or from db 0).
  auto before = connections_received(admin);
  ASSERT_TRUE(
      eventually([&] { return connections_received(admin) >= before + 3; }, patient))
      << server.log();
  auto health = http_once(server.port(), "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, R"({"status":"unhealthy","storage":"disconnected"})");
  EXPECT_EQ(post_online(server.port(), 0, "refused"), 503);  // Twitch retries later
  EXPECT_EQ(total_keys(admin), 0);
  auto log = server.log();
  EXPECT_EQ(count_of(log, "loading from the redis backend failed"), 1u) << log;
  EXPECT_NE(log.find(reason), std::string::npos) << log;
  EXPECT_EQ(log.find("backend loaded"), std::string::npos) << log;
  if (!secret.empty()) {
    EXPECT_EQ(log.find(secret), std::string::npos) << log;
  }
}

TEST(redis_faults_e2e, a_wrong_acl_password_is_unhealthy_writes_nothing_then_recovers) {
  redis_server redis;
  redis_client admin(redis.port());
  add_user(admin, "esd-writer", "the-right-password-3f9a");
  const std::string wrong = "a-wrong-password-8b2d";
  server_process server{redis_env(url_of(redis, "esd-writer:" + wrong + "@", 2))};
  expect_refused_start(admin, server, "AUTH as esd-writer failed", wrong);
  EXPECT_NE(server.log().find("WRONGPASS"), std::string::npos) << server.log();

  // Once the password is right, it loads without a restart and writes to db 2 only.
  add_user(admin, "esd-writer", wrong);
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }, patient));
  EXPECT_EQ(post_online(server.port(), 1, "fixed"), 200);
  auto keys = admin.keys_per_db();
  for (size_t db = 0; db < keys.size(); ++db)
    EXPECT_EQ(keys[db] > 0, db == 2) << "db " << db;
  EXPECT_EQ(server.log().find(wrong), std::string::npos);
}

TEST(redis_faults_e2e, a_database_out_of_range_is_unhealthy_and_writes_nothing) {
  redis_server redis;  // 16 databases, Redis's default
  redis_client admin(redis.port());
  server_process server{redis_env(url_of(redis, "", 20))};
  expect_refused_start(admin, server, "SELECT 20 failed", "");
  EXPECT_NE(server.log().find("DB index is out of range"), std::string::npos);
}

TEST(redis_faults_e2e, an_acl_user_with_its_password_writes_to_its_database_only) {
  redis_server redis;
  redis_client admin(redis.port());
  add_user(admin, "esd-writer", "the-right-password-3f9a");
  server_process server{
      redis_env(url_of(redis, "esd-writer:the-right-password-3f9a@", 5))};
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
  EXPECT_EQ(post_online(server.port(), 2, "good"), 200);
  auto keys = admin.keys_per_db();
  for (size_t db = 0; db < keys.size(); ++db)
    EXPECT_EQ(keys[db] > 0, db == 5) << "db " << db;
  // Connected as that user, not as the default one.
  auto clients = admin.run({"CLIENT", "LIST"}).text;
  EXPECT_NE(clients.find("db=5"), std::string::npos) << clients;
  EXPECT_NE(clients.find("user=esd-writer"), std::string::npos) << clients;
  EXPECT_EQ(server.log().find("the-right-password-3f9a"), std::string::npos);
}

/// Makes every RDB save fail, even for root: a directory where the dump file goes (a
/// rename onto a directory fails whoever you are); with a save rule, Redis then refuses
/// writes (and PING) with MISCONF.
void break_saves(redis_server& redis, redis_client& admin) {
  std::filesystem::create_directory(redis.dir() + "/dump.rdb");
  ASSERT_FALSE(admin.run({"CONFIG", "SET", "save", "3600 1"}).error);
  ASSERT_FALSE(admin.run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}).error);
  ASSERT_FALSE(admin.run({"BGSAVE"}).error);
  ASSERT_TRUE(eventually(
      [&] {
        return admin.info("persistence", "rdb_bgsave_in_progress") == "0" &&
               admin.info("persistence", "rdb_last_bgsave_status") == "err";
      },
      patient));
  auto refused = admin.run({"SET", "probe", "1"});
  ASSERT_TRUE(refused.error);
  ASSERT_EQ(refused.text.rfind("MISCONF", 0), 0u) << refused.text;
}

void repair_saves(redis_server& redis, redis_client& admin) {
  std::filesystem::remove(redis.dir() + "/dump.rdb");
  ASSERT_FALSE(admin.run({"BGSAVE"}).error);
  ASSERT_TRUE(eventually(
      [&] {
        return admin.info("persistence", "rdb_bgsave_in_progress") == "0" &&
               admin.info("persistence", "rdb_last_bgsave_status") == "ok";
      },
      patient));
}

bool queue_drained(uint16_t port) {
  auto metrics = http_once(port, "GET", "/metrics").body;
  return metrics.find("\neventsubd_storage_write_queue_depth 0\n") != std::string::npos;
}

TEST(redis_faults_e2e, writes_refused_with_misconf_stay_queued_and_survive_a_restart) {
  redis_server redis;
  redis_client admin(redis.port());
  std::vector<std::string> acknowledged;  // message ids answered 2xx
  {
    server_process server{redis_env(redis.url())};
    ASSERT_EQ(post_online(server.port(), 0, "misconf"), 200);  // before the fault
    acknowledged.push_back("misconf-msg-0");
    break_saves(redis, admin);
    for (int n = 1; n <= 20; ++n)
      if (post_online(server.port(), n, "misconf") / 100 == 2)
        acknowledged.push_back("misconf-msg-" + std::to_string(n));
    auto offline = post_signed(server.port(), offline_body("610001", "misconf1"),
                               "notification", "misconf-off-1");
    if (offline.status / 100 == 2) acknowledged.push_back("misconf-off-1");
    EXPECT_EQ(acknowledged.size(), 22u);  // queued while Redis refuses: still accepted
    ASSERT_TRUE(eventually(
        [&] { return http_once(server.port(), "GET", "/health").status == 503; },
        patient));
    // Refused, not stored, and not dropped either.
    auto stored = stored_event_ids(admin);
    EXPECT_EQ(stored.count("misconf-msg-1"), 0u);
    EXPECT_EQ(stored.count("misconf-off-1"), 0u);
    EXPECT_NE(server.log().find("MISCONF"), std::string::npos) << server.log();
    EXPECT_EQ(server.log().find("dropped"), std::string::npos) << server.log();

    repair_saves(redis, admin);
    ASSERT_TRUE(eventually(
        [&] {
          return http_once(server.port(), "GET", "/health").status == 200 &&
                 queue_drained(server.port());
        },
        patient))
        << server.log();
    ASSERT_EQ(server.terminate(), 0);
    auto log = server.log();
    EXPECT_EQ(count_of(log, "backend is unavailable"), 1u) << log;
    EXPECT_EQ(log.find("are lost"), std::string::npos) << log;
  }
  // A new process sees only what Redis holds.
  server_process server{redis_env(redis.url())};
  auto stored = stored_event_ids(admin);
  for (const auto& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;
  for (int n = 0; n <= 20; ++n) {
    auto login = "misconf" + std::to_string(n);
    auto raw = admin.run({"HGET", "twitch:stream_status", login}).text;
    ASSERT_FALSE(raw.empty()) << login;
    EXPECT_EQ(bool(json_doc(raw).root["is_live"]), n != 1) << login;
    auto status =
        json_doc(http_once(server.port(), "GET", "/streamers/" + login + "/status").body);
    EXPECT_EQ(bool(status.root["is_live"]), n != 1) << login;
  }
  EXPECT_EQ(event_count(server.port()), acknowledged.size());
}

TEST(redis_faults_e2e, writes_refused_by_an_acl_stay_queued_without_flapping) {
  redis_server redis;
  redis_client admin(redis.port());
  add_user(admin, "esd-writer", "acl-pass-51c0", {"+@all", "-zadd"});
  server_process server{redis_env(url_of(redis, "esd-writer:acl-pass-51c0@", 0))};
  for (int n = 0; n < 5; ++n) EXPECT_EQ(post_online(server.port(), n, "noperm"), 200);
  // Retried several times (each replay sends the refused ZADD again), PING answering
  // all along: one outage, reported once, and unhealthy throughout.
  ASSERT_TRUE(eventually(
      [&] {
        auto stats = admin.run({"INFO", "commandstats"}).text;
        auto at = stats.find("cmdstat_zadd:");
        if (at == std::string::npos) return false;
        auto rejected = stats.find("rejected_calls=", at);
        return std::stoi(stats.substr(rejected + 15)) >= 4;
      },
      patient));
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 503);
  EXPECT_TRUE(stored_event_ids(admin).empty());
  EXPECT_NE(server.log().find("NOPERM"), std::string::npos) << server.log();

  add_user(admin, "esd-writer", "acl-pass-51c0", {"+zadd"});
  ASSERT_TRUE(eventually([&] { return stored_event_ids(admin).size() == 5; }, patient));
  ASSERT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }, patient));
  auto log = server.log();
  EXPECT_EQ(count_of(log, "backend is unavailable"), 1u) << log;
  EXPECT_EQ(count_of(log, "is back after"), 1u) << log;
  EXPECT_EQ(log.find("dropped"), std::string::npos) << log;
}

}  // namespace
}  // namespace eventsubd::testing
