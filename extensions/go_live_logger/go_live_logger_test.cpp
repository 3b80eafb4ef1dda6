#include "extensions/kit/testing.hpp"

#include <gtest/gtest.h>

namespace eventsubd::ext {
namespace {

stream_change change(change_kind kind, std::string login, std::string display_name) {
  stream_change c;
  c.kind = kind;
  c.user_id = "1001";
  c.login = std::move(login);
  c.display_name = std::move(display_name);
  return c;
}

TEST(go_live_logger, logs_go_lives_and_stream_ends_with_display_name_and_login) {
  testing::test_host host;
  ASSERT_TRUE(host.start("go_live_logger").ok());
  host.publish(change(change_kind::online, "shroud", "Shroud"));
  EXPECT_TRUE(host.wait_for_log("Stream online: Shroud (shroud)")) << host.log_text();
  host.publish(change(change_kind::offline, "shroud", ""));
  EXPECT_TRUE(host.wait_for_log("Stream offline: shroud (shroud)")) << host.log_text();
}

TEST(go_live_logger, metadata_updates_are_not_logged) {
  testing::test_host host;
  ASSERT_TRUE(host.start("go_live_logger").ok());
  host.publish(change(change_kind::metadata, "shroud", "Shroud"));
  host.publish(change(change_kind::online, "ninja", "Ninja"));
  ASSERT_TRUE(host.wait_for_log("Stream online: Ninja (ninja)"));
  // The bus delivers in order: the metadata change came first and left no line.
  EXPECT_EQ(host.log_text(), "Stream online: Ninja (ninja)\n");
}

}  // namespace
}  // namespace eventsubd::ext
