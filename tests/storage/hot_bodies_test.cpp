#include "storage/hot_bodies.hpp"

#include <gtest/gtest.h>

namespace eventsubd::storage {
namespace {

TEST(HotBodies, KeepsAtMostCapacityDroppingTheLeastRecentlyUsed) {
  hot_bodies<int> hot(2);
  auto one = make_body("1"), two = make_body("2"), three = make_body("3");
  hot.put(1, one);
  hot.put(2, two);
  EXPECT_EQ(hot.find(1), one);  // 1 is now the most recently used
  hot.put(3, three);            // drops 2
  EXPECT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot.find(2), nullptr);
  EXPECT_EQ(hot.find(1), one);
  EXPECT_EQ(hot.find(3), three);
}

TEST(HotBodies, ClearAndZeroCapacity) {
  hot_bodies<int> hot(3);
  hot.put(1, make_body("1"));
  hot.clear();
  EXPECT_EQ(hot.size(), 0u);
  EXPECT_EQ(hot.find(1), nullptr);

  hot_bodies<int> none(0);
  none.put(1, make_body("1"));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.find(1), nullptr);
}

}  // namespace
}  // namespace eventsubd::storage
