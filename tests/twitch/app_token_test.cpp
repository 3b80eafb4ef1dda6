// app_token: one token for every worker thread, one fetch at a time.
#include "twitch/app_token.hpp"

#include "tests/common/eventually.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

/// A token endpoint the test controls: each fetch returns "token-<n>" (or fails while
/// `failing`), and, while `held`, blocks until the test lets it go.
struct token_source {
  std::mutex m;
  std::condition_variable cv;
  bool held = false;
  bool failing = false;
  std::atomic<int> fetches{0};

  app_token::fetch_fn fn() {
    return [this]() -> result<std::string> {
      int n = ++fetches;
      std::unique_lock lk(m);
      cv.wait_for(lk, 30s, [this] { return !held; });  // 30 s: a failed test ends
      if (failing) return fail(errc::upstream_error, "Twitch refused the credentials");
      return "token-" + std::to_string(n);
    };
  }
  void hold() {
    std::lock_guard lk(m);
    held = true;
  }
  void release() {
    {
      std::lock_guard lk(m);
      held = false;
    }
    cv.notify_all();
  }
};

/// Runs `n` threads that each call `f` once they have all been started, and waits until
/// every one is about to call it before it returns their futures.
template <class F>
std::vector<std::future<result<std::string>>> at_once(int n, F f) {
  auto arrived = std::make_shared<std::atomic<int>>(0);
  std::vector<std::future<result<std::string>>> out;
  for (int i = 0; i < n; ++i)
    out.push_back(std::async(std::launch::async, [arrived, f] {
      ++*arrived;
      return f();
    }));
  EXPECT_TRUE(eventually([&] { return *arrived == n; }));
  return out;
}

TEST(app_token_test, obtain_fetches_only_when_there_is_none) {
  app_token token;
  token_source src;
  EXPECT_EQ(token.current(), "");
  auto a = token.obtain(src.fn());
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "token-1");
  auto b = token.obtain(src.fn());
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "token-1");
  EXPECT_EQ(token.current(), "token-1");
  EXPECT_EQ(src.fetches, 1);
  EXPECT_EQ(token.fetched(), 1);
}

TEST(app_token_test, concurrent_workers_share_one_fetch) {
  app_token token;
  token_source src;
  src.hold();
  auto workers = at_once(8, [&] { return token.obtain(src.fn()); });
  ASSERT_TRUE(eventually([&] { return src.fetches == 1; }));
  src.release();
  for (auto& w : workers) {
    auto got = w.get();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, "token-1");
  }
  EXPECT_EQ(src.fetches, 1);
}

TEST(app_token_test, n_rejections_of_one_token_make_one_new_token) {
  app_token token;
  token_source src;
  ASSERT_TRUE(token.obtain(src.fn()));
  src.hold();
  auto workers = at_once(8, [&] { return token.replace("token-1", src.fn()); });
  ASSERT_TRUE(eventually([&] { return src.fetches == 2; }));
  src.release();
  for (auto& w : workers) {
    auto got = w.get();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, "token-2");
  }
  // A late 401 for the old token: the new one is already there.
  auto late = token.replace("token-1", src.fn());
  ASSERT_TRUE(late);
  EXPECT_EQ(*late, "token-2");
  EXPECT_EQ(src.fetches, 2);
  EXPECT_EQ(token.fetched(), 2);
}

TEST(app_token_test, waiters_share_a_failed_fetch_and_the_next_call_tries_again) {
  app_token token;
  token_source src;
  src.failing = true;
  src.hold();
  auto workers = at_once(4, [&] { return token.obtain(src.fn()); });
  ASSERT_TRUE(eventually([&] { return src.fetches == 1; }));
  src.release();
  for (auto& w : workers) {
    auto got = w.get();
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, errc::upstream_error);
  }
  // Any thread that came after the fetch finished fetched again; none in parallel.
  EXPECT_LE(src.fetches, 4);
  int before = src.fetches;
  src.failing = false;
  auto later = token.obtain(src.fn());
  ASSERT_TRUE(later);
  EXPECT_EQ(src.fetches, before + 1);
}

TEST(app_token_test, a_rejected_token_is_dropped_even_when_its_replacement_fails) {
  app_token token;
  token_source src;
  ASSERT_TRUE(token.obtain(src.fn()));
  src.failing = true;
  EXPECT_FALSE(token.replace("token-1", src.fn()));
  EXPECT_EQ(token.current(), "");
  src.failing = false;
  auto next = token.obtain(src.fn());
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, "token-3");
}

TEST(app_token_test, a_cancelled_waiter_stops_waiting_for_another_threads_fetch) {
  app_token token;
  token_source src;
  src.hold();
  auto fetcher = std::async(std::launch::async, [&] { return token.obtain(src.fn()); });
  ASSERT_TRUE(eventually([&] { return src.fetches == 1; }));
  std::atomic<bool> cancel{false};
  auto waiter = std::async(std::launch::async, [&] {
    return token.obtain(src.fn(), [&] { return cancel.load(); });
  });
  cancel = true;
  ASSERT_EQ(waiter.wait_for(5s), std::future_status::ready);
  auto got = waiter.get();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, errc::unavailable);
  EXPECT_EQ(got.error().detail, "cancelled");
  src.release();
  EXPECT_TRUE(fetcher.get());
  EXPECT_EQ(src.fetches, 1);
}

}  // namespace
}  // namespace eventsubd::twitch
