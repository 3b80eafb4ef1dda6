// What the Redis backend writes, key by key, and what it reads of the old service's.
#include "storage/backend.hpp"
#include "tests/common/redis_server.hpp"
#include "tests/common/take.hpp"
#include "tests/storage/backend_suite.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

namespace eventsubd::storage::backend_tests {
namespace {

TEST(RedisLayout, PerTypeSubscriptionIdsHaveTheirOwnKey) {
  auto db = make_redis_backend();
  auto s = streamer("alpha");
  ASSERT_TRUE(db->put_streamer(s));
  auto& server = testing::redis_server::shared();
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", server.port(), tv);
  ASSERT_TRUE(c && !c->err);
  auto hget = [&](const char* key) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "HGET %s alpha", key));
    std::string out = r && r->str ? std::string(r->str, r->len) : "";
    if (r) freeReplyObject(r);
    return out;
  };
  // Exactly the old service's shape in twitch:streamers...
  EXPECT_EQ(
      hget("twitch:streamers"),
      R"({"user_id":"id-alpha","username":"alpha","display_name":"Display_alpha","subscription_id":"on-alpha","is_active":true})");
  // ...and both ids under the new key.
  EXPECT_EQ(hget("twitch:subscription_ids"),
            R"({"stream.online":"on-alpha","stream.offline":"off-alpha"})");
  bool existed = false;
  ASSERT_TRUE(take(existed, db->remove_streamer("alpha")));
  EXPECT_EQ(hget("twitch:subscription_ids"), "");
  redisFree(c);
}

TEST(RedisLayout, AStreamerWrittenByTheOldServiceHasItsOnlineIdOnly) {
  auto db = make_redis_backend();
  auto& server = testing::redis_server::shared();
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", server.port(), tv);
  ASSERT_TRUE(c && !c->err);
  auto* r = static_cast<redisReply*>(redisCommand(
      c, "HSET twitch:streamers old %s",
      R"({"user_id": "1", "username": "old", "display_name": "Old", "subscription_id": "sub-1", "is_active": true})"));
  freeReplyObject(r);
  redisFree(c);
  std::vector<streamer_record> out;
  ASSERT_TRUE(take(out, db->load_streamers()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].online_subscription_id, "sub-1");
  EXPECT_TRUE(out[0].offline_subscription_id.empty());  // reconciliation finds it
}

}  // namespace
}  // namespace eventsubd::storage::backend_tests
