// Which Redis error replies to a write may be dropped (storage/redis_errors.hpp).
#include "storage/redis_errors.hpp"

#include <gtest/gtest.h>

namespace eventsubd::storage {
namespace {

TEST(RedisErrors, OnlyRefusalsOfTheCommandItselfArePermanent) {
  for (const char* permanent : {
           "WRONGTYPE Operation against a key holding the wrong kind of value",
           "ERR wrong number of arguments for 'hset' command",
           "ERR syntax error",
           "ERR value is not a valid float",
           "ERR value is not an integer or out of range",
           "ERR invalid expire time in 'set' command",
       })
    EXPECT_TRUE(redis_error_is_permanent(permanent)) << permanent;
}

TEST(RedisErrors, EverythingElseIsRetried) {
  for (const char* retried : {
           "MISCONF Redis is configured to save RDB snapshots, but it's currently unable "
           "to persist to disk.",
           "NOPERM this user has no permissions to run the 'zadd' command",
           "NOAUTH Authentication required.",
           "OOM command not allowed when used memory > 'maxmemory'.",
           "LOADING Redis is loading the dataset in memory",
           "BUSY Redis is busy running a script.",
           "READONLY You can't write against a read only replica.",
           "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
           "'no'.",
           "TRYAGAIN Multiple keys request during rehashing of slot",
           "NOREPLICAS Not enough good replicas to write.",
           "CLUSTERDOWN The cluster is down",
           "MOVED 3999 127.0.0.1:6381",
           "ERR unknown command 'HSET', with args beginning with: ",
           "ERR max number of clients reached",
           "ERR",
           "WRONGTYPEX not the code",
           "wrongtype lower case is not Redis's",
           "SOMETHINGNEW a refusal no release of Redis has given yet",
           "",
       })
    EXPECT_FALSE(redis_error_is_permanent(retried)) << retried;
}

}  // namespace
}  // namespace eventsubd::storage
