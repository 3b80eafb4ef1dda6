#include "extensions/kit/testing.hpp"

#include <gtest/gtest.h>

namespace eventsubd::ext {

TEST(hello, greets_a_go_live) {
  testing::test_host host{{{"EXT_HELLO_GREETING", "Hi"}}};
  ASSERT_TRUE(host.start("hello").ok());
  stream_change change;  // kind: online
  change.login = "shroud";
  change.display_name = "Shroud";
  host.publish(change);
  EXPECT_TRUE(host.wait_for_log("Hi, Shroud!"));
}

}  // namespace eventsubd::ext
