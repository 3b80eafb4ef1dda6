// The Redis backend against a real redis-server that refuses: a wrong ACL password, a
// database out of range, an ACL without a command, a key of another type.
#include "storage/redis_backend.hpp"
#include "tests/common/redis_client.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/common/webhook_writes.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace eventsubd::storage {
namespace {

using testing::a_webhooks_writes;
using testing::redis_client;
using testing::redis_server;

/// An ACL user of the shared server, new for each test (FLUSHALL keeps users).
std::string fresh_user(redis_client& admin, const std::string& password,
                       std::vector<std::string> rules = {"+@all"}) {
  static std::atomic<int> counter{0};
  auto name = "faults-user-" + std::to_string(counter++);
  std::vector<std::string> args{"ACL", "SETUSER", name, "on", ">" + password, "~*", "&*"};
  args.insert(args.end(), rules.begin(), rules.end());
  auto r = admin.run(args);
  EXPECT_FALSE(r.error) << r.text;
  return name;
}

redis_endpoint endpoint(const std::string& user = "", const std::string& password = "",
                        int db = 0) {
  redis_endpoint e;
  e.host = "127.0.0.1";
  e.port = redis_server::shared().port();
  e.user = user;
  e.password = password;
  e.db = db;
  return e;
}

long long total_keys(redis_client& admin) {
  long long n = 0;
  for (auto k : admin.keys_per_db()) n += k;
  return n;
}

class RedisFaults : public ::testing::Test {
 protected:
  void SetUp() override { redis_server::shared().flush_all(); }
  redis_client admin{redis_server::shared().port()};
};

TEST_F(RedisFaults, AWrongPasswordFailsEveryCallAndWritesNothing) {
  auto user = fresh_user(admin, "the-right-one");
  redis_backend db(endpoint(user, "not-the-password-7c1e"));
  // Every call, not only the first: the connection whose AUTH failed is not reused
  // (it would run as the default user).
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto f = db.ping();
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().detail.find("AUTH as " + user + " failed"), std::string::npos)
        << f.error().detail;
    EXPECT_NE(f.error().detail.find("WRONGPASS"), std::string::npos) << f.error().detail;
    EXPECT_EQ(f.error().detail.find("not-the-password-7c1e"), std::string::npos)
        << f.error().detail;
    EXPECT_FALSE(db.apply(a_webhooks_writes("nobody")).ok());
  }
  EXPECT_EQ(total_keys(admin), 0);
}

TEST_F(RedisFaults, ADatabaseOutOfRangeFailsEveryCallAndWritesNothing) {
  redis_backend db(endpoint("", "", 20));  // the server has the default 16
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto f = db.ping();
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().detail.find("SELECT 20 failed"), std::string::npos)
        << f.error().detail;
    EXPECT_FALSE(db.apply(a_webhooks_writes("nobody")).ok());
  }
  EXPECT_EQ(total_keys(admin), 0);
}

TEST_F(RedisFaults, AnAclUserWithItsPasswordWritesToItsDatabaseOnly) {
  auto user = fresh_user(admin, "pass-for-db-7");
  redis_backend db(endpoint(user, "pass-for-db-7", 7));
  ASSERT_TRUE(db.apply(a_webhooks_writes("seven")).ok());
  auto keys = admin.keys_per_db();
  for (size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(keys[i], i == 7 ? 3 : 0) << "db " << i;
}

TEST_F(RedisFaults, ARefusalForGoodIsDroppedAndTheRestOfTheBatchStored) {
  // Another program made twitch:events a string: the ZADD can never succeed.
  admin.run({"SET", redis_backend::events_key, "not a sorted set"});
  redis_backend db(endpoint());
  EXPECT_TRUE(db.apply(a_webhooks_writes("typed")).ok());
  EXPECT_FALSE(admin.run({"HGET", redis_backend::statuses_key, "typed"}).text.empty());
  EXPECT_EQ(admin.run({"GET", redis_backend::events_key}).text, "not a sorted set");
}

TEST_F(RedisFaults, AnAclRefusalKeepsFailingTheBatchUntilItIsGranted) {
  auto user = fresh_user(admin, "no-zadd-pass", {"+@all", "-zadd"});
  redis_backend db(endpoint(user, "no-zadd-pass"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto f = db.apply(a_webhooks_writes("held"));
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().detail.find("NOPERM"), std::string::npos) << f.error().detail;
  }
  EXPECT_TRUE(admin.run({"ZRANGE", redis_backend::events_key, "0", "-1"}).items.empty());
  ASSERT_FALSE(admin.run({"ACL", "SETUSER", user, "+zadd"}).error);
  EXPECT_TRUE(db.apply(a_webhooks_writes("held")).ok());
  EXPECT_EQ(admin.run({"ZRANGE", redis_backend::events_key, "0", "-1"}).items.size(), 1u);
}

}  // namespace
}  // namespace eventsubd::storage
