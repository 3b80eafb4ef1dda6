#include "core/host_port.hpp"

#include <gtest/gtest.h>

namespace eventsubd {
namespace {

TEST(HostPort, ParsesAListOfAddresses) {
  auto list = parse_host_port_list("a:1, 10.0.0.2:26379 ,[fe80::1]:65535", "X");
  ASSERT_TRUE(list) << list.error().detail;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0], (host_port{"a", 1}));
  EXPECT_EQ((*list)[1], (host_port{"10.0.0.2", 26379}));
  EXPECT_EQ((*list)[2], (host_port{"fe80::1", 65535}));
  EXPECT_EQ((*list)[2].text(), "[fe80::1]:65535");
  EXPECT_EQ((*list)[1].text(), "10.0.0.2:26379");
}

TEST(HostPort, RefusesWhatIsNoAddressAndNamesTheVariable) {
  for (const char* bad :
       {"", " ", "a", "a:", ":1", "a:0", "a:65536", "a:-1", "a:1x", "a:1,", ",a:1",
        "a:1,,b:2", "fe80::1:5", "[]:1", "a b:1", "user@a:1", "a/b:1"}) {
    SCOPED_TRACE(bad);
    auto list = parse_host_port_list(bad, "REDIS_SENTINELS");
    ASSERT_FALSE(list);
    EXPECT_NE(list.error().detail.find("REDIS_SENTINELS"), std::string::npos)
        << list.error().detail;
  }
}

}  // namespace
}  // namespace eventsubd
