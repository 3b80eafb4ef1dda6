#include "core/log_limiter.hpp"

#include <gtest/gtest.h>

namespace eventsubd {
namespace {

TEST(log_limiter, the_first_few_per_window_are_allowed_the_rest_counted) {
  log_limiter limiter{"test", 3, std::chrono::seconds(60)};
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.allow("test");
  EXPECT_EQ(allowed, 3);
  EXPECT_EQ(limiter.suppressed(), 97);
}

TEST(log_limiter, a_new_window_allows_again_and_reports_the_count) {
  log_limiter limiter{"test", 1, std::chrono::seconds(1)};
  EXPECT_TRUE(limiter.allow("test"));
  EXPECT_FALSE(limiter.allow("test"));
  EXPECT_EQ(limiter.suppressed(), 1);
  // Once the window is over the next one is allowed, and the count starts again.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool again = false;
  while (!again && std::chrono::steady_clock::now() < deadline)
    again = limiter.allow("test");
  EXPECT_TRUE(again);
  EXPECT_EQ(limiter.suppressed(), 0);
}

}  // namespace
}  // namespace eventsubd
