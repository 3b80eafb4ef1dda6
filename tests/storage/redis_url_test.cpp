#include "storage/redis_url.hpp"

#include <gtest/gtest.h>

namespace eventsubd::storage {
namespace {

TEST(redis_url_test, every_documented_form) {
  auto plain = parse_redis_url("redis://localhost:6379");
  ASSERT_TRUE(plain) << plain.error().detail;
  EXPECT_EQ(plain->host, "localhost");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());
  auto pw = parse_redis_url("redis://:s%40cret@redis:6380/2");
  ASSERT_TRUE(pw) << pw.error().detail;
  EXPECT_EQ(pw->host, "redis");
  EXPECT_EQ(pw->port, 6380);
  EXPECT_EQ(pw->password, "s@cret");
  EXPECT_TRUE(pw->user.empty());
  EXPECT_EQ(pw->db, 2);
  auto acl = parse_redis_url("redis://app:pw@10.0.0.5/1");
  ASSERT_TRUE(acl) << acl.error().detail;
  EXPECT_EQ(acl->user, "app");
  EXPECT_EQ(acl->password, "pw");
  EXPECT_EQ(acl->port, 6379);
  EXPECT_EQ(acl->db, 1);
  auto no_port = parse_redis_url("redis://cache");
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->port, 6379);
}

TEST(redis_url_test, malformed_urls_name_the_variable) {
  for (const char* bad :
       {"http://host:6379", "redis://", "redis://host:0", "redis://host:99999",
        "redis://host:abc", "redis://host/db", "redis://:%zz@host", "localhost:6379"}) {
    auto parsed = parse_redis_url(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, errc::unprocessable) << bad;
    EXPECT_NE(parsed.error().detail.find("REDIS_URL"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace eventsubd::storage
