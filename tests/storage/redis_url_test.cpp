#include "storage/redis_url.hpp"

#include <gtest/gtest.h>

namespace eventsubd::storage {
namespace {

TEST(redis_url_test, every_documented_form) {
  std::string error;
  auto plain = parse_redis_url("redis://localhost:6379", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_EQ(plain->host, "localhost");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());
  auto pw = parse_redis_url("redis://:s%40cret@redis:6380/2", error);
  ASSERT_TRUE(pw) << error;
  EXPECT_EQ(pw->host, "redis");
  EXPECT_EQ(pw->port, 6380);
  EXPECT_EQ(pw->password, "s@cret");
  EXPECT_TRUE(pw->user.empty());
  EXPECT_EQ(pw->db, 2);
  auto acl = parse_redis_url("redis://app:pw@10.0.0.5/1", error);
  ASSERT_TRUE(acl) << error;
  EXPECT_EQ(acl->user, "app");
  EXPECT_EQ(acl->password, "pw");
  EXPECT_EQ(acl->port, 6379);
  EXPECT_EQ(acl->db, 1);
  auto no_port = parse_redis_url("redis://cache", error);
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->port, 6379);
}

TEST(redis_url_test, malformed_urls_name_the_variable) {
  for (const char* bad :
       {"http://host:6379", "redis://", "redis://host:0", "redis://host:99999",
        "redis://host:abc", "redis://host/db", "redis://:%zz@host", "localhost:6379"}) {
    std::string error;
    EXPECT_FALSE(parse_redis_url(bad, error)) << bad;
    EXPECT_NE(error.find("REDIS_URL"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace eventsubd::storage
